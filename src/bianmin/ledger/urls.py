from __future__ import annotations

app_name = "ledger"

urlpatterns: list = []
