"""Django admin for what an administrator keeps: staff absences (AB岗). Cases themselves are
personal records and change only through the services (workbench, API)."""

from __future__ import annotations

from django.contrib import admin

from bianmin.cases.models import StaffAbsence


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(admin.ModelAdmin):
    list_display = ("staff", "start", "end", "reason", "created_at")
    list_filter = ("start",)
    search_fields = ("staff__display_name", "staff__user__username", "reason")
    raw_id_fields = ("staff",)
    date_hierarchy = "start"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
