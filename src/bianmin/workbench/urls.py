"""Staff pages. Each area of the workbench has its own URL module so they stay small."""

from __future__ import annotations

from django.urls import include, path

from bianmin.workbench import views, views_audit

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("lookup/", views.lookup, name="lookup"),
    path("", include("bianmin.workbench.urls_registry")),
    path("imports/", include("bianmin.workbench.urls_imports")),
    path("audit/", views_audit.audit_list, name="audit"),
    path("audit/verify/", views_audit.audit_verify, name="audit-verify"),
    path("audit/export/", views_audit.audit_export, name="audit-export"),
]
