from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/catalog/", include("bianmin.catalog.api_urls")),
    path("api/v1/queue/", include("bianmin.queueing.api_urls")),
    path("api/v1/cases/", include("bianmin.cases.api_urls")),
    path("api/v1/evaluation/", include("bianmin.evaluation.api_urls")),
    path("api/v1/certificates/", include("bianmin.certificates.api_urls")),
    path("api/v1/sharing/", include("bianmin.sharing.api_urls")),
    path("api/v1/exchange/", include("bianmin.exchange.api_urls")),
    path("api/v1/programs/", include("bianmin.programs.api_urls")),
    path("api/v1/health-records/", include("bianmin.health.api_urls")),
    path("api/v1/indicators/", include("bianmin.indicators.api_urls")),
    path("api/v1/ledger/", include("bianmin.ledger.api_urls")),
    path("api/v1/ratings/", include("bianmin.ratings.api_urls")),
    path("api/v1/hygiene/", include("bianmin.hygiene.api_urls")),
    path("api/v1/", include("bianmin.registry.api_urls")),
    path("catalog/", include("bianmin.catalog.urls")),
    path("queue/", include("bianmin.queueing.urls")),
    path("evaluation/", include("bianmin.evaluation.urls")),
    path("notifications/", include("bianmin.notifications.urls")),
    path("counter/", include("bianmin.counter.urls")),
    path("portal/", include("bianmin.portal.urls")),
    path("certificates/", include("bianmin.certificates.urls")),
    path("sharing/", include("bianmin.sharing.urls")),
    path("exchange/", include("bianmin.exchange.urls")),
    path("programs/", include("bianmin.programs.urls")),
    path("health/", include("bianmin.health.urls")),
    path("indicators/", include("bianmin.indicators.urls")),
    path("ledger/", include("bianmin.ledger.urls")),
    path("ratings/", include("bianmin.ratings.urls")),
    path("hygiene/", include("bianmin.hygiene.urls")),
    path("", include("bianmin.workbench.urls")),
]
