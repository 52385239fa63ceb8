from __future__ import annotations

from django.urls import path

from bianmin.sharing import views, views_portal

app_name = "sharing"

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("requests/", views.requests_page, name="requests"),
    path("requests/<int:pk>/approve/", views.decide, {"verdict": "approve"}, name="approve"),
    path("requests/<int:pk>/refuse/", views.decide, {"verdict": "refuse"}, name="refuse"),
    path("grants/", views.grants_page, name="grants"),
    path("grants/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("log/", views.access_log, name="log"),
    path("log/export/", views.access_log_export, name="log-export"),
    path("materials-stats/", views.stats, name="stats"),
    path("my/consents/", views_portal.consents, name="consents"),
    path("my/consents/<slug:code>/give/", views_portal.give, name="consent-give"),
    path("my/consents/<int:pk>/withdraw/", views_portal.withdraw, name="consent-withdraw"),
]
