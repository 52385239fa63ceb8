"""/api/v1/cases/ — the cases API. Views live in `cases/api/`."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from bianmin.cases.api.views import CaseViewSet

router = SimpleRouter()
router.register("", CaseViewSet, basename="case")

app_name = "cases_api"
urlpatterns = router.urls
