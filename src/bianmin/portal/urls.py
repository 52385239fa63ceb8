"""/portal/ — the residents' and enterprises' online hall (网上办事大厅)."""

from __future__ import annotations

app_name = "portal"

urlpatterns: list = []
