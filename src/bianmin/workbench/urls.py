"""Staff pages. Each area of the workbench has its own URL module so they stay small."""

from __future__ import annotations

from django.urls import include, path

from bianmin.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("bianmin.workbench.urls_registry")),
    path("imports/", include("bianmin.workbench.urls_imports")),
]
