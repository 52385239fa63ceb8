"""/api/v1/exchange/ — department pushes (docs/exchange.md)."""

from __future__ import annotations

from django.urls import path

from bianmin.exchange import api

app_name = "exchange_api"

urlpatterns = [
    path("deaths/", api.DeathPushView.as_view(), name="deaths"),
    path("moves/", api.MovePushView.as_view(), name="moves"),
    path("move-outs/", api.MoveOutPushView.as_view(), name="move-outs"),
    path("employment-registrations/", api.EmploymentPushView.as_view(), name="employment"),
    path("certificates/", api.CertificatePushView.as_view(), name="certificates"),
    path("batches/", api.BatchPushView.as_view(), name="batches"),
]
