"""人口库, 户, 法人库 and the division tree."""

from __future__ import annotations

from django.urls import path

from bianmin.workbench import (
    views_divisions,
    views_households,
    views_orgs,
    views_people,
    views_profile,
)

urlpatterns = [
    path("people/", views_people.people_list, name="people"),
    path("people/export/", views_people.people_export, name="people-export"),
    path("people/new/", views_people.person_create, name="person-create"),
    path("people/<int:pk>/", views_profile.person_detail, name="person"),
    path("people/<int:pk>/reveal/", views_profile.person_reveal, name="person-reveal"),
    path("people/<int:pk>/status/", views_profile.person_status, name="person-status"),
    path("people/<int:pk>/tags/", views_profile.person_tag_add, name="person-tag-add"),
    path(
        "people/<int:pk>/tags/<slug:code>/remove/",
        views_profile.person_tag_remove,
        name="person-tag-remove",
    ),
    path("people/<int:pk>/edit/", views_profile.person_edit, name="person-edit"),
    path("households/", views_households.household_list, name="households"),
    path("households/export/", views_households.household_export, name="households-export"),
    path("households/new/", views_households.household_create, name="household-create"),
    path("households/<int:pk>/", views_households.household_detail, name="household"),
    path(
        "households/<int:pk>/members/",
        views_households.household_add_member,
        name="household-add-member",
    ),
    path("organisations/", views_orgs.organisation_list, name="organisations"),
    path("organisations/export/", views_orgs.organisation_export, name="organisations-export"),
    path("organisations/new/", views_orgs.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views_orgs.organisation_detail, name="organisation"),
    path("divisions/", views_divisions.division_tree, name="divisions"),
    path("divisions/<str:code>/", views_divisions.division_tree, name="division"),
]
