"""/api/v1/programs/ — see programs/api.py."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from bianmin.programs.api import (
    CoverageView,
    DueListView,
    EnrolmentViewSet,
    ProgramViewSet,
    VisitViewSet,
)

router = SimpleRouter()
router.register("definitions", ProgramViewSet, basename="program")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("visits", VisitViewSet, basename="visit")

app_name = "programs-api"
urlpatterns = [
    path("due/", DueListView.as_view(), name="due"),
    path("definitions/<slug:code>/coverage/", CoverageView.as_view(), name="coverage"),
    *router.urls,
]
