"""/notifications/ — administrators' view of the outbox."""

from __future__ import annotations

from django.urls import path

from bianmin.notifications import views

app_name = "notifications"

urlpatterns = [
    path("failed/", views.failed_list, name="failed"),
    path("failed/export/", views.failed_export, name="failed-export"),
    path("failed/<int:message_id>/<slug:action>/", views.failed_action, name="failed-action"),
]
