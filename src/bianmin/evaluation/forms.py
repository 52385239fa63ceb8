"""Forms of the staff pages: list filters, complaint intake, the stage actions, the month."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import Scope
from bianmin.evaluation.models import (
    ComplaintChannel,
    ComplaintStatus,
    ComplaintSubject,
    RectificationStatus,
)
from bianmin.registry.models import OrgUnit, Staff

_OVERDUE = [("", _("— 全部 —")), ("1", _("超期")), ("0", _("未超期"))]


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    overdue = forms.ChoiceField(label=_("期限"), required=False, choices=_OVERDUE)

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("— 全部 —")), *statuses]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": "", "overdue": None}
        overdue = self.cleaned_data["overdue"]
        return {
            "status": self.cleaned_data["status"],
            "overdue": None if overdue == "" else overdue == "1",
        }


def task_filter(data) -> ListFilterForm:
    return ListFilterForm(data, statuses=RectificationStatus.choices)


class ComplaintFilterForm(ListFilterForm):
    q = forms.CharField(
        label=_("编号、投诉人或内容"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def filters(self) -> dict:
        result = super().filters()
        result["q"] = self.cleaned_data.get("q", "") if self.is_valid() else ""
        return result


def complaint_filter(data) -> ComplaintFilterForm:
    return ComplaintFilterForm(data, statuses=ComplaintStatus.choices)


class ComplaintForm(forms.Form):
    """受理投诉 at a window or from the hotline. The subject decides who answers it."""

    channel = forms.ChoiceField(
        label=_("投诉渠道"), choices=ComplaintChannel.choices, initial=ComplaintChannel.WINDOW
    )
    complainant_name = forms.CharField(label=_("投诉人姓名"), max_length=100)
    complainant_phone = forms.CharField(
        label=_("手机号码"), max_length=20, required=False, help_text=_("用于短信答复")
    )
    complainant_id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        required=False,
        help_text=_("可选：关联人口库中的投诉人"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    subject_kind = forms.ChoiceField(label=_("投诉对象"), choices=ComplaintSubject.choices)
    case_no = forms.CharField(label=_("办件编号"), max_length=20, required=False)
    staff = forms.ModelChoiceField(
        label=_("被投诉人"), queryset=Staff.objects.none(), required=False
    )
    org_unit = forms.ModelChoiceField(
        label=_("服务单位"), queryset=OrgUnit.objects.none(), required=False
    )
    content = forms.CharField(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices within the clerk's area: a clerk takes complaints about their own offices;
        # the city's hotline (area "4201") reaches all of them.
        prefix = scope.area_prefix or ""
        self.fields["staff"].queryset = (
            Staff.objects.filter(org_unit__division__prefix__startswith=prefix)
            .select_related("org_unit")
            .order_by("org_unit__code", "display_name")
        )
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(
            division__prefix__startswith=prefix
        ).order_by("code")
        self.fields["staff"].empty_label = self.fields["org_unit"].empty_label = _("— 请选择 —")
        self.fields["staff"].label_from_instance = lambda s: (
            f"{s.display_name}（{s.org_unit.name}）"
        )


class VerifyForm(forms.Form):
    founded = forms.TypedChoiceField(
        label=_("核实结论"),
        choices=[("1", _("属实")), ("0", _("不属实"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(label=_("核实情况"), widget=forms.Textarea(attrs={"rows": 3}))


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))


class RectifyForm(NotesForm):
    notes = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))


class HandleForm(NotesForm):
    notes = forms.CharField(label=_("处理措施"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(NotesForm):
    notes = forms.CharField(
        label=_("督办意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("将以短信发送给申请人"),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("将以短信发送给申请人"),
    )


class FeedbackForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("回访结果"),
        choices=[("1", _("满意")), ("0", _("不满意")), ("", _("未表态（回访未接通等）"))],
        coerce=lambda v: {"1": True, "0": False}.get(v),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("回访情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
