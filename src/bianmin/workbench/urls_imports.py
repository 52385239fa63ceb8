"""批量导入 (bulk import of people and households)."""

from __future__ import annotations

from django.urls import path

from bianmin.workbench import views_imports

urlpatterns = [
    path("", views_imports.imports, name="imports"),
    path("template.xlsx", views_imports.template, name="import-template"),
    path("<uuid:job_id>/", views_imports.detail, name="import-detail"),
    path("<uuid:job_id>/progress/", views_imports.progress, name="import-progress"),
    path("<uuid:job_id>/errors.xlsx", views_imports.errors, name="import-errors"),
]
