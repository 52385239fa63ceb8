"""Forms of the ratings pages: they collect input; the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.ratings import scheme
from bianmin.ratings.models import Dimension, Inspection, YearNotice
from bianmin.ratings.services.common import rated_centres, today


def _centre_choices() -> list[tuple[str, str]]:
    return [(c.code, f"{c.name}（{c.division.name}）") for c in rated_centres()]


class MonthForm(forms.Form):
    month = forms.CharField(label=_("月份"), required=False)
    area = forms.CharField(label=_("区划代码"), required=False)

    def selected(self) -> str:
        value = (self.data.get("month") or "").strip()
        if value:
            return value
        # The month being rated is normally the previous one.
        first = today().replace(day=1)
        last = first.fromordinal(first.toordinal() - 1)
        return f"{last:%Y-%m}"


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)

    def selected(self) -> int:
        try:
            return int(self.data.get("year") or today().year)
        except ValueError:
            return today().year


class _ScoresForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"] = forms.ChoiceField(label=_("服务中心"), choices=_centre_choices())
        for code in scheme.ORDER:
            self.fields[code] = forms.CharField(
                label=Dimension(code).label,
                required=self.scores_required,
                help_text=self.help_for(code),
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    scores_required = True

    def help_for(self, code: str) -> str:
        return _("0至%(max)s分") % {"max": scheme.MAX_POINTS[code]}

    def scores(self) -> dict[str, str]:
        return {code: self.data.get(code, "") for code in scheme.ORDER}


class SelfAssessmentForm(_ScoresForm):
    month = forms.CharField(label=_("月份"), help_text=_("YYYY-MM，当月30日前报送"))
    notes = forms.CharField(label=_("自评说明"), required=False, widget=forms.Textarea)


class InspectionForm(_ScoresForm):
    scores_required = False
    inspected_on = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    mode = forms.ChoiceField(label=_("方式"), choices=Inspection.Mode.choices)
    supervisor = forms.CharField(label=_("检查人"), max_length=60)
    findings = forms.CharField(label=_("发现问题"), widget=forms.Textarea)

    def help_for(self, code: str) -> str:
        return _("扣分，0至%(max)s分") % {"max": scheme.MAX_POINTS[code]}


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("整改情况"),
        choices=[
            (YearNotice.Status.OPEN, YearNotice.Status.OPEN.label),
            (YearNotice.Status.RECTIFIED, YearNotice.Status.RECTIFIED.label),
        ],
    )
    note = forms.CharField(label=_("整改情况说明"), widget=forms.Textarea)
