from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.queueing import clock

MAX_STATS_DAYS = 92


class KioskTicketForm(forms.Form):
    category = forms.IntegerField(widget=forms.HiddenInput)
    id_number = forms.CharField(
        label=_("身份证号（可不填）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class KioskCheckInForm(forms.Form):
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LinkCaseForm(forms.Form):
    case_no = forms.CharField(label=_("办件编号"), max_length=40)


class StatsForm(forms.Form):
    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput({"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start = data.get("start") or clock.today()
        end = data.get("end") or start
        if end < start:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"), code="bad_range")
        if (end - start).days >= MAX_STATS_DAYS:
            raise forms.ValidationError(
                _("一次最多统计%(days)s天。"),
                code="range_too_long",
                params={"days": MAX_STATS_DAYS},
            )
        data["start"], data["end"] = start, end
        return data

    def range(self) -> tuple[dt.date, dt.date]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return default_range()


def default_range() -> tuple[dt.date, dt.date]:
    """Supervisors look at the last week first."""
    today = clock.today()
    return today - dt.timedelta(days=6), today


def stats_form(data) -> StatsForm:
    start, end = default_range()
    return StatsForm(data or None, initial={"start": start, "end": end})
