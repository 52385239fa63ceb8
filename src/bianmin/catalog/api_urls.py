"""/api/v1/catalog/ — the public, read-only service catalogue."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from bianmin.catalog.api import BundleViewSet, ServiceItemViewSet

router = SimpleRouter()
router.register("items", ServiceItemViewSet, basename="catalog-item")
router.register("bundles", BundleViewSet, basename="catalog-bundle")

app_name = "catalog-api"
urlpatterns = router.urls
