"""Django admin for configuration the administrator owns: org tree, staff and scopes, grids,
departments, tags. Personal records (people, households, organisations) are deliberately absent:
they change only through the audited services and the workbench."""

from __future__ import annotations

from django.contrib import admin

from bianmin.registry.models import Department, Grid, OrgUnit, Staff, Tag


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name")


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "grade", "division", "department")
    list_filter = ("kind", "grade", "department")
    search_fields = ("code", "name")
    raw_id_fields = ("division", "parent")


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "role", "org_unit", "department", "backup")
    list_filter = ("role", "department")
    search_fields = ("display_name", "user__username", "org_unit__name")
    raw_id_fields = ("user", "org_unit", "backup")


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "community", "households_served")
    search_fields = ("code", "name", "community__name")
    raw_id_fields = ("community",)
    filter_horizontal = ("workers",)

    def get_queryset(self, request):
        return Grid.unscoped.select_related("community")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "derived", "min_age", "max_age", "restricted_to")
    list_filter = ("category", "derived")
