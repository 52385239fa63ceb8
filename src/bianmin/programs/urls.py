from __future__ import annotations

from django.urls import path

from bianmin.programs import views, views_programs

app_name = "programs"

urlpatterns = [
    path("", views.due, name="due"),
    path("enrolments/<int:pk>/visit/", views.visit_new, name="visit-new"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("list/", views_programs.program_list, name="list"),
    path("list/<slug:code>/", views_programs.program_detail, name="detail"),
    path("list/<slug:code>/coverage/", views_programs.coverage, name="coverage"),
]
