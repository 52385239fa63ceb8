from __future__ import annotations

from django.urls import path

from bianmin.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
]
