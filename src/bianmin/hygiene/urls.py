"""/hygiene/ — public-place hygiene grading: the public 公示 and the staff pages."""

from __future__ import annotations

from django.urls import path

from bianmin.hygiene import views

app_name = "hygiene"

urlpatterns = [
    path("public/", views.public, name="public"),
    path("", views.places, name="places"),
    path("export/", views.places_export, name="places-export"),
    path("new/", views.place_new, name="place-new"),
    path("<int:pk>/", views.place_detail, name="place"),
    path("<int:pk>/inspect/", views.inspect, name="inspect"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/generate/", views.generate, name="generate"),
]
