"""Counter forms. They shape input only; the case services decide what is allowed and their
errors are shown next to the fields (`workbench.common.apply_errors`)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.cases import results
from bianmin.cases.models import (
    SPECIAL_PROCEDURES,
    CaseStatus,
    ConsentMethod,
    DeliveryMethod,
    PauseKind,
    WarningLevel,
)
from bianmin.core.identifiers import parse_citizen_id, parse_credit_code
from bianmin.workbench.forms import SearchForm

_BLANK = [("", _("— 全部 —"))]
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")


def _area(rows: int = 2, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class IdentifyForm(forms.Form):
    """一号: one box for the citizen ID number (typed or read from the card) or, for an
    organisation, the unified social credit code. Sent in the POST body only."""

    number = forms.CharField(
        label=_("身份证号码 / 统一社会信用代码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autofocus": True,
                "placeholder": _("读卡或输入18位证件号码"),
                "class": "id-input",
            }
        ),
    )

    def clean_number(self) -> dict[str, str]:
        raw = re.sub(r"\s+", "", self.cleaned_data["number"]).upper()
        if _ID_LIKE.match(raw):
            return {"id_number": parse_citizen_id(raw).number}
        try:
            return {"credit_code": parse_credit_code(raw).code}
        except ValidationError:
            # Neither: the clerk most likely mistyped an ID number; say what is wrong with it.
            parse_citizen_id(raw)
            raise


class ItemSearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找事项"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("事项名称、编码或部门，如：高龄津贴、MZ-004、民政"),
                "autocomplete": "off",
            }
        ),
    )


class OutcomeForm(forms.Form):
    """The clerk's decision at the end of intake, with what each outcome needs."""

    ACCEPT, SUPPLEMENT, PLEDGE, REFUSE = "accept", "supplement", "pledge", "refuse"

    outcome = forms.ChoiceField(
        choices=[(ACCEPT, ""), (SUPPLEMENT, ""), (PLEDGE, ""), (REFUSE, "")],
        error_messages={"required": _("请选择受理结果。")},
    )
    pledge_due = forms.DateField(label=_("承诺补交日期"), required=False, widget=_DATE)
    refuse_reason = forms.CharField(
        label=_("不予受理理由"), required=False, max_length=500, widget=_area()
    )
    consent_method = forms.ChoiceField(
        label=_("委托方式"), required=False, choices=[("", "—"), *ConsentMethod.choices]
    )
    consent_at = forms.DateTimeField(
        label=_("委托确认时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == self.PLEDGE and not data.get("pledge_due"):
            self.add_error("pledge_due", _("容缺受理须填写承诺补交日期。"))
        return data


# --- case actions ---------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=_area())


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("补正说明（可不填）"), required=False, max_length=1000, widget=_area()
    )


class PledgeAcceptForm(forms.Form):
    pledge_due = forms.DateField(label=_("承诺补交日期"), required=False, widget=_DATE)


class ReviewForm(forms.Form):
    review = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("审查结论"),
        choices=[
            ("approve", _("审查通过")),
            ("return", _("退回补正")),
            ("reject", _("审查不通过")),
        ],
        widget=forms.RadioSelect,
        initial="approve",
    )
    opinion = forms.CharField(
        label=_("审查意见"),
        required=False,
        max_length=1000,
        widget=_area(placeholder=_("退回补正或不通过时须填写理由")),
    )


class DecideForm(forms.Form):
    """准予 / 不予, with the result fields the case's item calls for (决定内容: a first
    残疾人证's category and grade). Whether a field is required is the service's to say: it
    applies to an approval only, and the message comes from `cases.results`."""

    needs_case = True
    RESULT_PREFIX = "result__"

    approve = forms.TypedChoiceField(
        label=_("决定"),
        choices=[("1", _("准予")), ("0", _("不予"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    reasons = forms.CharField(
        label=_("决定理由"),
        required=False,
        max_length=2000,
        widget=_area(placeholder=_("不予决定须说明理由和依据")),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.result_specs = results.fields_for(case) if case is not None else []
        for spec in self.result_specs:
            if spec.kind == results.CHOICE:
                field = forms.ChoiceField(
                    choices=[("", _("— 请选择 —")), *((c, c) for c in spec.choices)]
                )
            elif spec.kind == results.DATE:
                field = forms.CharField(widget=_DATE)
            else:
                field = forms.CharField(max_length=results.MAX_LENGTH)
            field.label, field.required, field.initial = spec.label, False, spec.initial
            field.marked_required = spec.required  # shown as required; checked on approval
            self.fields[self.RESULT_PREFIX + spec.name] = field

    @property
    def result_fields(self) -> list:
        return [self[self.RESULT_PREFIX + spec.name] for spec in self.result_specs]

    def result(self) -> dict[str, str]:
        return {
            spec.name: self.cleaned_data.get(self.RESULT_PREFIX + spec.name) or ""
            for spec in self.result_specs
        }


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("特别程序"),
        choices=[(k.value, k.label) for k in PauseKind if k in SPECIAL_PROCEDURES],
    )
    reason = forms.CharField(label=_("事由"), max_length=1000, widget=_area())
    start = forms.DateField(label=_("开始日期（默认今天）"), required=False, widget=_DATE)


class ResumeForm(forms.Form):
    end = forms.DateField(label=_("结束日期（默认今天）"), required=False, widget=_DATE)


class ExtensionForm(forms.Form):
    workdays = forms.IntegerField(label=_("延长工作日数"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("延期理由"), max_length=1000, widget=_area())


class ExtensionDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("批准")), ("0", _("不批准"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("审批意见"), required=False, max_length=1000)


class DeliverForm(forms.Form):
    method = forms.ChoiceField(label=_("送达方式"), choices=DeliveryMethod.choices)


class VisitForm(forms.Form):
    purpose = forms.CharField(
        label=_("到场事由"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("如：出示原件、咨询进度")}),
    )


# --- lists ----------------------------------------------------------------------------------


# A case or bundle number is 14 digits after its prefix: allowed in the URL, unlike a whole
# ID or phone number (eleven digits in a row), which `SearchForm` refuses.
CASE_NUMBER = re.compile(r"^(?:BM|LB)\d{1,14}$", re.IGNORECASE)
CASE_NUMBER_OR_NO_FULL_NUMBER = r"(?:(?:[Bb][Mm]|[Ll][Bb])\d{1,14})|(?:(?!.*\d{11}).*)"


class CaseSearchForm(SearchForm):
    """办件查询. Values end up in the URL: a whole ID number is refused (`SearchForm`), a
    case number is not."""

    guarded = ("q",)

    def __init__(self, *args, **kwargs):
        data = args[0] if args else kwargs.get("data")
        number = data.get("q", "").strip() if data is not None else ""
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["pattern"] = CASE_NUMBER_OR_NO_FULL_NUMBER
        if "q" in self.dropped and CASE_NUMBER.match(number):
            self.dropped.remove("q")
            self.data = self.data.copy()
            self.data["q"] = number

    q = forms.CharField(
        label=_("办件编号 / 申请人 / 证件号后4位"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("如：BM2026…、王秀英、1234"),
                "autofocus": True,
            }
        ),
    )
    item = forms.CharField(
        label=_("事项"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"list": "item-codes", "placeholder": _("事项编码")}),
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_BLANK + CaseStatus.choices)
    warning_level = forms.ChoiceField(
        label=_("预警"), required=False, choices=_BLANK + WarningLevel.choices
    )
