"""Django admin for the working-day calendar: the administrator enters a year's State Council
holiday notice as overrides, then publishes the year. Every save goes through the audited
services in `bianmin.core.workdays`; the audit log itself is deliberately absent (read it with
`bianmin audit`)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from bianmin.core import workdays
from bianmin.core.audit import Actor
from bianmin.core.models import WorkdayOverride, WorkdayYear

_WEEKDAYS = "一二三四五六日"


def _actor(request) -> Actor:
    # The staff middleware sets request.actor; a superuser without a Staff row still gets a name.
    actor = getattr(request, "actor", None)
    if actor is not None and actor.user_id is not None:
        return actor
    return Actor(request.user.pk, request.user.get_username())


class _YearFilter(admin.SimpleListFilter):
    title = _("年度")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = WorkdayOverride.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "is_workday", "name", "note", "created_by", "updated_at")
    list_filter = (_YearFilter, "is_workday")
    list_select_related = ("created_by",)
    search_fields = ("name", "note")
    date_hierarchy = "date"
    fields = ("date", "is_workday", "name", "note", "created_by", "created_at", "updated_at")
    readonly_fields = ("created_by", "created_at", "updated_at")

    @admin.display(description=_("星期"))
    def weekday(self, obj: WorkdayOverride) -> str:
        return f"星期{_WEEKDAYS[obj.date.weekday()]}"

    def get_readonly_fields(self, request, obj=None):
        # The date is the row's identity (and the audit object id): delete and re-enter instead.
        return (*self.readonly_fields, "date") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = workdays.set_override(
            actor=_actor(request),
            day=obj.date,
            is_workday=obj.is_workday,
            name=obj.name,
            note=obj.note,
        )
        obj.pk, obj.created_by_id = saved.pk, saved.created_by_id

    def delete_model(self, request, obj):
        workdays.remove_override(actor=_actor(request), day=obj.date)

    def delete_queryset(self, request, queryset):
        for day in queryset.values_list("date", flat=True):
            workdays.remove_override(actor=_actor(request), day=day)


class WorkdayYearForm(forms.ModelForm):
    class Meta:
        model = WorkdayYear
        fields = ("year", "source")

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if self.instance.pk is None:
            workdays.check_publishable(year)
        return year


@admin.register(WorkdayYear)
class WorkdayYearAdmin(admin.ModelAdmin):
    form = WorkdayYearForm
    list_display = ("year", "source", "published_by", "published_at", "override_count")
    readonly_fields = ("published_by", "published_at")

    @admin.display(description=_("已录入调整天数"))
    def override_count(self, obj: WorkdayYear) -> int:
        return obj.override_total

    def get_queryset(self, request):
        # One query for the list, not one per year.
        per_year = (
            WorkdayOverride.objects.filter(date__year=OuterRef("year"))
            .order_by()
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("published_by")
            .annotate(override_total=Coalesce(Subquery(per_year), 0))
        )

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "year") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = workdays.publish_year(actor=_actor(request), year=obj.year, source=obj.source)
        obj.pk, obj.published_by_id = saved.pk, saved.published_by_id

    def delete_model(self, request, obj):
        workdays.withdraw_year(actor=_actor(request), year=obj.year)

    def delete_queryset(self, request, queryset):
        for year in queryset.values_list("year", flat=True):
            workdays.withdraw_year(actor=_actor(request), year=year)
