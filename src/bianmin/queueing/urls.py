"""/queue/ — staff pages (window panel, figures) and the hall's public board and kiosk."""

from __future__ import annotations

from django.urls import path

from bianmin.queueing import views, views_public

app_name = "queueing"

urlpatterns = [
    path("", views.index, name="index"),
    path("window/<int:window_id>/", views.window_page, name="window"),
    path("window/<int:window_id>/<slug:action>/", views.window_action, name="window-action"),
    path("hall/<int:hall_id>/stats/", views.stats_page, name="stats"),
    path("hall/<int:hall_id>/stats/export/", views.stats_export, name="stats-export"),
    path("hall/<int:hall_id>/board/", views_public.board, name="board"),
    path("hall/<int:hall_id>/kiosk/", views_public.kiosk, name="kiosk"),
    path("hall/<int:hall_id>/kiosk/enrol/", views_public.kiosk_enrol, name="kiosk-enrol"),
]
