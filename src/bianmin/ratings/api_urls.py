"""/api/v1/ratings/ — see `ratings/api/views.py`."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from bianmin.ratings.api.views import MonthlyRatingViewSet, YearViewSet

router = SimpleRouter()
router.register("months", MonthlyRatingViewSet, basename="ratings-month")
router.register("years", YearViewSet, basename="ratings-year")

app_name = "ratings-api"
urlpatterns = router.urls
