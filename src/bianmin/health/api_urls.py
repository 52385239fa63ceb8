from __future__ import annotations

from django.urls import path

from bianmin.health import api

app_name = "health-api"

urlpatterns = [
    path("referrals/", api.ReferralListView.as_view(), name="referrals"),
    path("<str:record_code>/", api.RecordView.as_view(), name="record"),
    path("<str:record_code>/summary/", api.SummaryView.as_view(), name="summary"),
    path("<str:record_code>/fhir/", api.FhirView.as_view(), name="fhir"),
]
