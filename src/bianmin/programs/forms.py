"""Web forms. The visit form is built from the program's schema, but its fields are plain
text inputs to the browser and to Django: the values are checked once, by
`visitforms.clean_visit_data` inside `record_visit`, and its errors are shown by the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.programs import visitforms
from bianmin.programs.models import ExitReason, Program, VisitKind

DATA_PREFIX = "d_"


def _widget(f: dict[str, Any]) -> forms.Widget:
    kind = f["type"]
    attrs: dict[str, Any] = {}
    if kind in ("int", "decimal"):
        attrs = {"inputmode": "numeric" if kind == "int" else "decimal"}
        if f.get("min") is not None:
            attrs["placeholder"] = f"{f.get('min')}–{f.get('max', '')} {f.get('unit', '')}".strip()
        return forms.TextInput(attrs=attrs)
    if kind == "choice":
        return forms.Select(choices=[("", "—"), *[(str(c[0]), c[1]) for c in f["choices"]]])
    if kind == "bool":
        return forms.Select(choices=[("", "—"), ("true", _("是")), ("false", _("否"))])
    if kind == "date":
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return (
        forms.Textarea(attrs={"rows": 2}) if f.get("max_length", 500) > 100 else forms.TextInput()
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("随访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label=_("随访方式"), choices=VisitKind.choices)
    outcome = forms.ChoiceField(label=_("随访结果"), required=False)
    next_due_on = forms.DateField(
        label=_("约定下次随访"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("不填则按项目周期自动计算。"),
    )
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any):
        kwargs.setdefault("initial", {"visited_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.program = program
        if program.outcomes:
            self.fields["outcome"].choices = [("", "—"), *[(o[0], o[1]) for o in program.outcomes]]
            self.fields["outcome"].required = True
        else:
            del self.fields["outcome"]
        self.data_keys = []
        for f in visitforms.fields_of(program.form_schema):
            label = f["label"] + (f"（{f['unit']}）" if f.get("unit") else "")
            field = forms.CharField(
                label=label, required=False, widget=_widget(f), help_text=f.get("help", "")
            )
            # Marked for the asterisk only; the schema check decides what is missing.
            field.marked_required = bool(f.get("required"))
            self.fields[DATA_PREFIX + f["key"]] = field
            self.data_keys.append(f["key"])

    def answers(self) -> dict[str, str]:
        return {
            k: self.data.get(DATA_PREFIX + k, "")
            for k in self.data_keys
            if self.data.get(DATA_PREFIX + k, "") != ""
        }

    def data_fields(self):
        return [self[DATA_PREFIX + k] for k in self.data_keys]


class EnrolForm(forms.Form):
    program = forms.ModelChoiceField(label=_("项目"), queryset=Program.objects.none())
    enrolled_on = forms.DateField(
        label=_("纳入日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("纳入说明"), required=False, max_length=200)

    def __init__(self, *args: Any, programs, **kwargs: Any):
        kwargs.setdefault("initial", {"enrolled_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs


class ExitForm(forms.Form):
    reason = forms.ChoiceField(label=_("结案原因"), choices=ExitReason.choices)
    on = forms.DateField(
        label=_("结案日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("结案说明"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CoverageForm(forms.Form):
    start = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    area = forms.RegexField(label=_("区划"), regex=r"^\d{0,14}$", required=False)
