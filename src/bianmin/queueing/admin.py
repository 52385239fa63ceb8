"""Django admin for the halls' configuration (categories, windows, slots). Tickets and
appointments are absent on purpose: they hold personal data and change only through the
services."""

from __future__ import annotations

from django.contrib import admin

from bianmin.queueing.models import AppointmentSlot, Hall, Window, WindowCategory
from bianmin.registry.models import OrgUnit, OrgUnitKind


class CategoryInline(admin.TabularInline):
    model = WindowCategory
    extra = 0
    fields = ("code", "name", "accepting", "daily_limit", "default_service_minutes")


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "area_code", "no_show_after", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "org_unit__name", "org_unit__code")
    readonly_fields = ("area_code",)
    inlines = [CategoryInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org_unit":
            kwargs["queryset"] = OrgUnit.objects.filter(kind=OrgUnitKind.SERVICE_CENTRE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The scope key follows the centre; it is never typed by hand.
        obj.area_code = obj.org_unit.division.prefix
        super().save_model(request, obj, form, change)


@admin.register(WindowCategory)
class WindowCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "hall", "accepting", "daily_limit")
    list_filter = ("accepting",)
    search_fields = ("name", "hall__name")
    filter_horizontal = ("departments",)


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ("number", "label", "hall", "is_open", "staff")
    list_filter = ("is_open",)
    search_fields = ("label", "hall__name")
    filter_horizontal = ("categories",)
    raw_id_fields = ("staff",)


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(admin.ModelAdmin):
    list_display = ("date", "start", "end", "category", "hall", "capacity", "booked")
    list_filter = ("date",)
    readonly_fields = ("booked",)
    date_hierarchy = "date"
