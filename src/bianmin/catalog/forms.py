"""Catalogue forms: the public search, and the administrator's item form with inline materials
and steps. They shape input only; `services.create_item` / `revise_item` decide validity."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.fields import ITEM_FIELDS
from bianmin.catalog.models import (
    AcceptLevel,
    ApplicantKind,
    ItemType,
    MaterialForm,
    MaterialRequirement,
    StepKind,
)
from bianmin.catalog.sources import CERTIFICATE_TYPES, SHARED_SOURCES
from bianmin.registry.models import Department, Tag

_ALL = [("", _("— 全部 —"))]
_NONE = [("", _("— 无 —"))]


def _departments() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in Department.objects.order_by("code")]


class CatalogSearchForm(forms.Form):
    q = forms.CharField(label=_("事项名称或编码"), required=False, max_length=60)
    department = forms.ChoiceField(label=_("实施部门"), required=False)
    type = forms.ChoiceField(label=_("事项类型"), required=False, choices=_ALL + ItemType.choices)
    level = forms.ChoiceField(
        label=_("受理层级"), required=False, choices=_ALL + AcceptLevel.choices
    )
    online = forms.ChoiceField(
        label=_("网上办理"),
        required=False,
        choices=[*_ALL, ("1", _("可网办")), ("0", _("须到现场"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(type="search", placeholder=_("如：低保、居住证"))
        self.fields["department"].choices = _ALL + _departments()

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        online = {"1": True, "0": False}.get(d["online"])
        return {
            "q": d["q"],
            "department": d["department"],
            "item_type": d["type"],
            "level": d["level"],
            "online": online,
        }


class ItemForm(forms.Form):
    code = forms.CharField(label=_("事项编码"), max_length=40)
    name = forms.CharField(label=_("事项名称"), max_length=120)
    item_type = forms.ChoiceField(label=_("事项类型"), choices=ItemType.choices)
    applicant_kind = forms.ChoiceField(label=_("服务对象"), choices=ApplicantKind.choices)
    department = forms.ChoiceField(label=_("实施部门"))
    accept_levels = forms.MultipleChoiceField(
        label=_("可受理层级"),
        choices=AcceptLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("村（社区）一级由代办员代为受理。"),
    )
    legal_basis = forms.CharField(label=_("设定依据"), widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(
        label=_("受理条件"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    statutory_limit_days = forms.IntegerField(label=_("法定办结时限（工作日）"), min_value=0)
    promised_limit_days = forms.IntegerField(
        label=_("承诺办结时限（工作日）"), min_value=0, help_text=_("0 表示即办件")
    )
    fee = forms.DecimalField(
        label=_("收费标准（元）"), min_value=0, decimal_places=2, max_digits=10, initial=0
    )
    fee_basis = forms.CharField(label=_("收费依据"), required=False, max_length=300)
    online = forms.BooleanField(label=_("可网上办理"), required=False)
    max_visits = forms.IntegerField(
        label=_("到现场次数上限"), min_value=0, initial=1, help_text=_("最多跑一次 = 1，零跑动 = 0")
    )
    allows_deficiency = forms.BooleanField(label=_("可容缺受理"), required=False)
    place = forms.CharField(label=_("办理地点"), required=False, max_length=300)
    hours = forms.CharField(label=_("办理时间"), required=False, max_length=200)
    consult_phone = forms.CharField(label=_("咨询电话"), required=False, max_length=40)
    complaint_phone = forms.CharField(label=_("监督投诉电话"), required=False, max_length=40)
    result_name = forms.CharField(label=_("办理结果"), required=False, max_length=100)
    result_certificate_type = forms.ChoiceField(label=_("结果证照类型"), required=False)
    eligible_min_age = forms.IntegerField(
        label=_("适用年龄（起）"), required=False, min_value=0, max_value=150
    )
    eligible_tags = forms.MultipleChoiceField(
        label=_("适用重点人群"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限人群。"),
    )
    note = forms.CharField(
        label=_("修订说明"),
        max_length=300,
        help_text=_("改了什么、为什么改；将记入版本历史。"),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _departments()
        self.fields["result_certificate_type"].choices = _NONE + list(CERTIFICATE_TYPES.items())
        self.fields["eligible_tags"].choices = [
            (t.code, t.name) for t in Tag.objects.order_by("sort", "code")
        ]
        if editing:
            # The code names the item across versions; it cannot change.
            self.fields["code"].disabled = True
        else:
            self.fields["note"].required = False

    def item_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        fields = {name: d[name] for name in ITEM_FIELDS}
        fields["fee"] = d["fee"] if d["fee"] is not None else 0
        fields["eligible_tags"] = d["eligible_tags"]
        return fields


class MaterialRowForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=40)
    name = forms.CharField(label=_("材料名称"), max_length=200)
    # Selects always submit a value: their initial must be what a blank row shows, or an
    # untouched extra row would count as filled in and fail as incomplete.
    form = forms.ChoiceField(
        label=_("形式"), choices=MaterialForm.choices, initial=MaterialForm.ORIGINAL
    )
    copies = forms.IntegerField(label=_("份数"), min_value=1, initial=1)
    requirement = forms.ChoiceField(
        label=_("必要性"),
        choices=MaterialRequirement.choices,
        initial=MaterialRequirement.MANDATORY,
    )
    condition = forms.CharField(label=_("适用情形"), max_length=200, required=False)
    essential = forms.BooleanField(label=_("关键"), required=False, initial=True)
    shared_source = forms.ChoiceField(label=_("可共享获取"), required=False)
    source_note = forms.CharField(label=_("来源渠道"), max_length=100, required=False)
    sample = forms.CharField(
        label=_("填写示例"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    common_mistakes = forms.CharField(
        label=_("常见错误"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_source"].choices = _NONE + [
            (k, str(v)) for k, v in SHARED_SOURCES.items()
        ]


class StepRowForm(forms.Form):
    name = forms.CharField(label=_("环节名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=StepKind.choices, initial=StepKind.REVIEW)
    department = forms.ChoiceField(label=_("承办部门"))
    parallel_group = forms.IntegerField(
        label=_("并联组"), min_value=1, initial=1, help_text=_("同组环节并联办理")
    )
    limit_days = forms.IntegerField(label=_("时限（工作日）"), min_value=0, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("— 请选择 —")), *_departments()]


MaterialFormSet = forms.formset_factory(MaterialRowForm, extra=2, can_delete=True)
StepFormSet = forms.formset_factory(StepRowForm, extra=2, can_delete=True)


def rows_of(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The rows to keep, in order: the existing ones (changed or not) and the extra rows that
    were filled in; rows marked for deletion are left out."""
    initial = formset.initial_form_count()
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for i, f in enumerate(formset.forms)
        if (i < initial or f.has_changed()) and f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
