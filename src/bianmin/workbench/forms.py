"""Workbench forms. They only shape input; the services decide validity (check digits, codes,
scope), and their errors are put back next to the fields by `common.apply_errors`."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.core.identifiers import normalize_mobile
from bianmin.core.models import AuditAction
from bianmin.registry.models import LifeStatus, Relationship, ResidenceType
from bianmin.registry.models.people import HouseholdType

_BLANK = [("", _("— 全部 —"))]
# Eleven digits in a row: a mobile number, or (part of) a citizen ID number.
FULL_NUMBER = re.compile(r"\d{11}")
NO_FULL_NUMBER = r"(?!.*\d{11}).*"
FULL_NUMBER_HINT = _("完整的证件号码或手机号码请在工作台的“一号查询”中输入，不要放进网址。")


class SearchForm(forms.Form):
    """A GET search form (its values end up in the URL, the history and access logs).

    A whole ID or phone number must not: the browser refuses it before sending (pattern),
    and if it arrives anyway it is dropped here and never echoed back into the page."""

    guarded: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropped: list[str] = []
        for name in self.guarded:
            self.fields[name].widget.attrs.update(pattern=NO_FULL_NUMBER, title=FULL_NUMBER_HINT)
            if self.is_bound and FULL_NUMBER.search(self.data.get(name, "")):
                self.data = self.data.copy()
                self.data[name] = ""
                self.dropped.append(name)

    def clean(self):
        data = super().clean()
        for name in self.dropped:
            self.add_error(name, FULL_NUMBER_HINT)
        return data


def _text(label, *, required: bool = False, max_length: int = 200, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.TextInput(attrs=attrs)
    )


def _code(label, datalist: str = "", *, required: bool = False, **attrs) -> forms.CharField:
    """A division / grid code typed or picked from a <datalist> of the user's area."""
    if datalist:
        attrs["list"] = datalist
    return _text(
        label, required=required, max_length=14, autocomplete="off", inputmode="numeric", **attrs
    )


def _id_number(label=None, *, required: bool = True) -> forms.CharField:
    return _text(
        label or _("身份证号码"),
        required=required,
        max_length=18,
        autocomplete="off",
        spellcheck="false",
        placeholder=_("18位公民身份号码"),
    )


def checked_by_service(field: forms.Field) -> forms.Field:
    """Required, but left to the service to say so: then an empty name is reported together
    with a bad ID number or phone in one round, instead of one error per submission."""
    field.required = False
    field.marked_required = True
    return field


def set_grid_choices(form: forms.Form, grids) -> None:
    """A select of the area's grids, or a code input when there are too many (grids=None)."""
    if grids is None:
        form.fields["grid"] = _code(_("网格编码"), placeholder=_("14位网格编码"))
    else:
        form.fields["grid"].choices = _BLANK + [(g.code, str(g)) for g in grids]


class LookupForm(forms.Form):
    """一号查询: the whole number travels in the POST body only."""

    id_number = _id_number()


class PersonSearchForm(SearchForm):
    guarded = ("q",)

    q = _text(
        _("姓名 / 拼音首字母 / 证件号后4位"),
        max_length=40,
        type="search",
        placeholder=_("如：张伟、zw、1234"),
        autofocus=True,
    )
    grid = forms.ChoiceField(label=_("网格"), required=False)
    tag = forms.ChoiceField(label=_("重点人群"), required=False)
    life_status = forms.ChoiceField(
        label=_("人员状态"), required=False, choices=_BLANK + list(LifeStatus.choices)
    )
    residence_type = forms.ChoiceField(
        label=_("人口类型"), required=False, choices=_BLANK + list(ResidenceType.choices)
    )

    def __init__(self, *args, grids=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_grid_choices(self, grids)
        self.fields["tag"].choices = _BLANK + [(t.code, t.name) for t in tags]


class RevealForm(forms.Form):
    purpose = _text(_("查看事由"), max_length=200, placeholder=_("如：办理低保审核，核对身份"))


class LifeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("人员状态"), choices=LifeStatus.choices)
    date = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    source = _text(
        _("信息来源"),
        required=True,
        max_length=100,
        placeholder=_("如：公安户籍注销通知、火化证明"),
    )


class TagForm(forms.Form):
    tag = forms.ChoiceField(label=_("标签"))
    since = forms.DateField(
        label=_("认定日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    source = _text(_("认定来源"), max_length=100, placeholder=_("如：区民政局认定文件"))

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [(t.code, t.name) for t in tags if not t.derived]


class PhoneField(forms.CharField):
    """Uses the same rule as the services so the message appears next to the field."""

    def clean(self, value):
        value = super().clean(value)
        return normalize_mobile(value) if value else value


class PersonEditForm(forms.Form):
    phone = PhoneField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    ethnicity = _text(_("民族"), max_length=20)
    residence_type = forms.ChoiceField(label=_("人口类型"), choices=ResidenceType.choices)
    residence_division = _code(_("现居住村（社区）代码"), "communities")
    grid = _code(_("现居住网格编码"), "grids")
    residence_address = _text(_("现居住地址"))
    registered_address = _text(_("户籍地址"))

    FIELDS = (
        "phone",
        "ethnicity",
        "residence_type",
        "residence_division",
        "grid",
        "residence_address",
        "registered_address",
    )

    @classmethod
    def initial_for(cls, person) -> dict[str, str]:
        return {
            "phone": person.phone,
            "ethnicity": person.ethnicity,
            "residence_type": person.residence_type,
            "residence_division": person.residence_division_id or "",
            "grid": person.grid_id or "",
            "residence_address": person.residence_address,
            "registered_address": person.registered_address,
        }

    def changes(self, person) -> dict[str, str]:
        """Only what the clerk actually changed goes to `update_person` (and the audit log)."""
        before = self.initial_for(person)
        return {
            k: self.cleaned_data[k]
            for k in self.FIELDS
            if (self.cleaned_data[k] or "") != (before[k] or "")
        }


class PersonCreateForm(forms.Form):
    id_number = checked_by_service(_id_number())
    name = checked_by_service(_text(_("姓名"), max_length=50))
    phone = checked_by_service(
        forms.CharField(
            label=_("手机号码"),
            max_length=20,
            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        )
    )
    ethnicity = _text(_("民族"), max_length=20, placeholder=_("如：汉族"))
    residence_type = forms.ChoiceField(label=_("人口类型"), choices=ResidenceType.choices)
    residence_division = _code(_("现居住村（社区）代码"), "communities", required=True)
    grid = _code(_("现居住网格编码"), "grids")
    residence_address = _text(_("现居住地址"))
    registered_division = _code(_("户籍地区划代码"), "communities")
    registered_address = _text(_("户籍地址"))
    household_number = _text(_("户号（可选）"), max_length=20)
    relationship = forms.ChoiceField(
        label=_("与户主关系"), required=False, choices=[("", "—"), *Relationship.choices]
    )

    def clean(self):
        data = super().clean()
        if data.get("household_number") and not data.get("relationship"):
            self.add_error("relationship", _("填写户号时请选择与户主关系。"))
        return data


class HouseholdSearchForm(forms.Form):
    q = _text(_("户号 / 地址 / 户主姓名"), max_length=60, type="search", autofocus=True)
    grid = forms.ChoiceField(label=_("网格"), required=False)

    def __init__(self, *args, grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_grid_choices(self, grids)


class HouseholdCreateForm(forms.Form):
    number = _text(_("户号"), required=True, max_length=20, autocomplete="off")
    household_type = forms.ChoiceField(label=_("户别"), choices=HouseholdType.choices)
    division = _code(_("户籍地村（社区）代码"), "communities", required=True)
    grid = _code(_("网格编码"), "grids")
    address = _text(_("住址"))


class AddMemberForm(forms.Form):
    id_number = _id_number(_("成员身份证号码"))
    # No preselected answer: a wrong default (户主) would be saved by a hurried click.
    relationship = forms.ChoiceField(
        label=_("与户主关系"), choices=[("", _("— 请选择 —")), *Relationship.choices]
    )


class OrganisationSearchForm(forms.Form):
    q = _text(_("名称 / 统一社会信用代码"), max_length=60, type="search", autofocus=True)
    category = forms.ChoiceField(label=_("机构类别"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _BLANK + [(c, c) for c in categories]


class OrganisationCreateForm(forms.Form):
    credit_code = checked_by_service(
        _text(_("统一社会信用代码"), max_length=18, autocomplete="off", spellcheck="false")
    )
    name = checked_by_service(_text(_("单位名称")))
    division = _code(_("住所所在区划代码"), "communities")
    address = _text(_("住所"))
    phone = _text(_("联系电话"), max_length=20)
    legal_rep_id_number = _id_number(_("法定代表人身份证号码"), required=False)
    established = forms.DateField(
        label=_("成立日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AuditSearchForm(SearchForm):
    guarded = ("obj",)

    actor = _text(_("操作人"), max_length=60)
    obj = _text(
        _("对象（类型:编号 或 名称）"), max_length=60, placeholder=_("如：person:12 或 张伟")
    )
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=_BLANK + list(AuditAction.choices)
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("起始日期不能晚于截止日期。"), code="date_range")
        return data
