"""/api/v1/ — the registry API and the token endpoint. Views live in `registry/api/`."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from bianmin.core.api import ObtainTokenView
from bianmin.registry.api.organisations import OrganisationViewSet
from bianmin.registry.api.people import PersonViewSet
from bianmin.registry.api.places import DivisionViewSet, GridViewSet, HouseholdViewSet, TagViewSet

# SimpleRouter, not DefaultRouter: the browsable root view would be one API view that is
# not scoped, and the OpenAPI document at /api/docs/ is the index.
router = SimpleRouter()
router.register("people", PersonViewSet, basename="person")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("divisions", DivisionViewSet, basename="division")
router.register("grids", GridViewSet, basename="grid")
router.register("households", HouseholdViewSet, basename="household")
router.register("tags", TagViewSet, basename="tag")

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    *router.urls,
]
