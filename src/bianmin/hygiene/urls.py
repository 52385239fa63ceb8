from __future__ import annotations

app_name = "hygiene"

urlpatterns: list = []
