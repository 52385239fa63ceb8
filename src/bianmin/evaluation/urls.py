"""/evaluation/ — staff pages: monthly figures and stars, rectification tasks, complaints."""

from __future__ import annotations

from django.urls import path

from bianmin.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>/", views.stats_export, name="stats-export"),
    path("rectifications/", views.listing, {"kind": "tasks"}, name="tasks"),
    path("rectifications/export/", views.export_list, {"kind": "tasks"}, name="tasks-export"),
    path("rectifications/<int:pk>/", views.detail, {"kind": "tasks"}, name="task"),
    path("rectifications/<int:pk>/act/", views.act, {"kind": "tasks"}, name="task-act"),
    path("complaints/", views.listing, {"kind": "complaints"}, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path(
        "complaints/export/",
        views.export_list,
        {"kind": "complaints"},
        name="complaints-export",
    ),
    path("complaints/<int:pk>/", views.detail, {"kind": "complaints"}, name="complaint"),
    path("complaints/<int:pk>/act/", views.act, {"kind": "complaints"}, name="complaint-act"),
]
