"""/ledger/ — 电子台帐: reports, the community ledger, review, templates, dashboard."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from bianmin.ledger import views, views_dashboard, views_templates

app_name = "ledger"

urlpatterns = [
    # The list has its own path so the sidebar marks only the entry of the page shown.
    path("", RedirectView.as_view(pattern_name="ledger:reports"), name="home"),
    path("reports/", views.report_list, name="reports"),
    path("open/", views.report_open, name="report-open"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report-submit"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report-approve"),
    path("reports/<int:pk>/return/", views.report_return, name="report-return"),
    path("reports/<int:pk>/xlsx/", views.report_xlsx, name="report-xlsx"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report-pdf"),
    path("inbox/", views.inbox, name="inbox"),
    path("community/", views.community, name="community"),
    path("templates/", views_templates.template_list, name="templates"),
    path("templates/new/", views_templates.template_design, name="template-new"),
    path("templates/<int:pk>/", views_templates.template_design, name="template-edit"),
    path("templates/<int:pk>/active/", views_templates.template_active, name="template-active"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/data/", views_dashboard.dashboard_data, name="dashboard-data"),
]
