"""/api/v1/ledger/ — see `ledger/api.py`."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from bianmin.ledger.api import ReportViewSet, TemplateViewSet

router = SimpleRouter()
router.register("templates", TemplateViewSet, basename="ledger-template")
router.register("reports", ReportViewSet, basename="ledger-report")

app_name = "ledger-api"
urlpatterns = [*router.urls]
