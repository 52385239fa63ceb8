"""/ratings/ — monthly star ratings of the service centres."""

from __future__ import annotations

from django.urls import path

from bianmin.ratings import views

app_name = "ratings"

urlpatterns = [
    path("", views.month_table, name="month"),
    path("compute/", views.compute, name="compute"),
    path("publish/", views.publish, name="publish"),
    path("<int:pk>/", views.card, name="card"),
    path("self-assessment/", views.self_assessment, name="self-assessment"),
    path("inspections/new/", views.inspection_new, name="inspection-new"),
    path("lists/", views.year_lists, name="lists"),
    path("lists/issue/", views.issue, name="issue"),
    path("lists/export/<slug:kind>/", views.export, name="export"),
    path("notices/<int:pk>/follow-up/", views.follow_up, name="follow-up"),
]
