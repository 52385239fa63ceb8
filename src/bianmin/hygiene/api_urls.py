"""/api/v1/hygiene/ — see `hygiene/api/views.py`."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from bianmin.hygiene.api.views import PlaceViewSet, PlanViewSet, PublicView

router = SimpleRouter()
router.register("places", PlaceViewSet, basename="hygiene-place")
router.register("plans", PlanViewSet, basename="hygiene-plan")

app_name = "hygiene-api"
urlpatterns = [*router.urls, path("public/", PublicView.as_view(), name="public")]
