"""/exchange/ — administrators' pages of the department exchange."""

from __future__ import annotations

from django.urls import path

from bianmin.exchange import views

app_name = "exchange"

urlpatterns = [
    path("dead-letters/", views.dead_letters, name="dead-letters"),
    path("dead-letters/export/", views.dead_letters_export, name="dead-letters-export"),
    path("dead-letters/<int:pk>/", views.dead_letter, name="dead-letter"),
    path("pushes/", views.pushes, name="pushes"),
    path("pushes/export/", views.pushes_export, name="pushes-export"),
    path("life-events/", views.life_events, name="life-events"),
    path("life-events/export/", views.life_events_export, name="life-events-export"),
    path("head-vacancies/", views.head_vacancies, name="head-vacancies"),
]
