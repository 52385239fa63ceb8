"""/api/v1/indicators/ — see `indicators/api.py`."""

from __future__ import annotations

from django.urls import path

from bianmin.indicators.api import IndicatorDetailView, IndicatorListView, IndicatorValuesView

app_name = "indicators-api"
urlpatterns = [
    path("", IndicatorListView.as_view(), name="list"),
    path("<str:code>/", IndicatorDetailView.as_view(), name="detail"),
    path("<str:code>/values/", IndicatorValuesView.as_view(), name="values"),
]
