"""/api/v1/evaluation/ — see `evaluation/api/views.py`."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from bianmin.evaluation.api.views import (
    ComplaintViewSet,
    RatingViewSet,
    RectificationViewSet,
    StatsView,
)

router = SimpleRouter()
router.register("ratings", RatingViewSet, basename="evaluation-rating")
router.register("rectifications", RectificationViewSet, basename="evaluation-rectification")
router.register("complaints", ComplaintViewSet, basename="evaluation-complaint")

app_name = "evaluation-api"
urlpatterns = [
    *router.urls,
    path("stats/", StatsView.as_view(), name="stats"),
]
