"""/portal/ — the residents' and enterprises' online hall (网上办事大厅)."""

from __future__ import annotations

from django.urls import path

from bianmin.portal import views_apply, views_auth, views_cases, views_staff

app_name = "portal"

urlpatterns = [
    path("", views_auth.home, name="home"),
    path("login/", views_auth.sign_in, name="login"),
    path("register/", views_auth.register, name="register"),
    path("register/confirm/", views_auth.register_confirm, name="register-confirm"),
    path("logout/", views_auth.sign_out, name="logout"),
    path("services/", views_apply.services, name="services"),
    path("services/<str:code>/apply/", views_apply.apply, name="apply"),
    path("cases/", views_cases.case_list, name="cases"),
    path("cases/<str:case_no>/", views_cases.case_detail, name="case"),
    path("cases/<str:case_no>/supplement/", views_apply.supplement, name="supplement"),
    path("cases/<str:case_no>/rate/", views_cases.rate, name="rate"),
    path(
        "cases/<str:case_no>/feedback/",
        views_cases.rectification_feedback,
        name="rectification-feedback",
    ),
    path("files/<int:upload_id>/", views_apply.upload_file, name="file"),
    # For staff (the clerk's precheck of an online application): scope-checked, audited.
    path("staff/files/<int:upload_id>/", views_apply.staff_file, name="staff-file"),
    path(
        "staff/accounts/<int:person_id>/enable/",
        views_staff.account_enable,
        name="staff-account-enable",
    ),
    path(
        "staff/accounts/<int:person_id>/reset-password/",
        views_staff.account_reset_password,
        name="staff-account-reset-password",
    ),
    path("me/password/", views_auth.change_password, name="password"),
    path("messages/", views_cases.inbox, name="inbox"),
    path("messages/read-all/", views_cases.read_all, name="read-all"),
    path("messages/<int:item_id>/read/", views_cases.read_message, name="read"),
    path("complaints/", views_cases.complaints, name="complaints"),
    path("complaints/<str:complaint_no>/", views_cases.complaint_detail, name="complaint"),
    path("me/", views_cases.me, name="me"),
    path("me/access-log/", views_cases.access_history, name="access-log"),
]
