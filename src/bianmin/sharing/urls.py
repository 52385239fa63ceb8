from __future__ import annotations

app_name = "sharing"

urlpatterns: list = []
