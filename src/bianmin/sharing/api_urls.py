from __future__ import annotations

from django.urls import path

from bianmin.sharing import api

app_name = "sharing-api"

urlpatterns = [
    path("items/", api.CatalogueView.as_view(), name="items"),
    path("requests/", api.RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/approve/", api.DecideView.as_view(), name="approve"),
    path("requests/<int:pk>/refuse/", api.RefuseView.as_view(), name="refuse"),
    path("grants/", api.GrantListView.as_view(), name="grants"),
    path("grants/<int:pk>/revoke/", api.RevokeView.as_view(), name="revoke"),
    path("consents/", api.ConsentListView.as_view(), name="consents"),
    path("access-log/", api.AccessLogView.as_view(), name="access-log"),
    path("materials-stats/", api.MaterialsStatsView.as_view(), name="materials-stats"),
]
