from __future__ import annotations

from django.urls import path

from bianmin.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.library_page, name="library"),
    path("values/", views.values_page, name="values"),
]
