"""/catalog/ — public service guides, and the administrators' editor under manage/."""

from __future__ import annotations

from django.urls import path

from bianmin.catalog import views, views_manage

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("items/<str:code>/", views.item_guide, name="item"),
    path("bundles/<str:code>/", views.bundle_guide, name="bundle"),
    path("manage/", views_manage.manage_list, name="manage"),
    path("manage/export/", views_manage.manage_export, name="manage-export"),
    path("manage/new/", views_manage.manage_create, name="manage-create"),
    path("manage/items/<str:code>/", views_manage.manage_edit, name="manage-edit"),
]
