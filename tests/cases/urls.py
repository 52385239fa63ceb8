"""The URLs the case API tests need, under the same prefixes as `bianmin.urls` — so the
cases API is tested on its own while other apps' routes are being built in the same tree."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/cases/", include("bianmin.cases.api_urls")),
    path("api/v1/", include("bianmin.registry.api_urls")),
]
