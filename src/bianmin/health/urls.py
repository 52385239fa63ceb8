from __future__ import annotations

from django.urls import path

from bianmin.health import views, views_forms

app_name = "health"

urlpatterns = [
    path("", views.due, name="due"),
    path("records/", views.record_list, name="records"),
    path("records/export/", views.record_list_export, name="records-export"),
    path("records/new/", views_forms.open_record, name="open"),
    path("records/<str:record_code>/", views.record_detail, name="record"),
    path("records/<str:record_code>/check/", views_forms.add_check, name="check"),
    path("records/<str:record_code>/referral/", views_forms.request_referral, name="refer"),
    path("records/<str:record_code>/contract/", views_forms.sign_contract, name="sign"),
    path("records/<str:record_code>/visit/<slug:program_code>/", views.visit, name="visit"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/export/", views.referrals_export, name="referrals-export"),
    path("referrals/<int:pk>/respond/", views.referral_respond, name="referral-respond"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/export/", views.contracts_export, name="contracts-export"),
    path("indicators/", views.indicator_report, name="indicators"),
]
