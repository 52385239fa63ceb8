"""Doctors' forms that write: open a record (建档), a check-up, a referral request."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.health.models import CheckKind, FamilyDoctorTeam, HealthRecord, Institution
from bianmin.health.models.records import BloodType, PaymentType
from bianmin.health.services import care, records
from bianmin.registry.access import actor_for, client_ip, staff_of
from bianmin.registry.models import Person
from bianmin.registry.services.people import lookup_person
from bianmin.workbench.common import apply_errors, staff_required


def _actor(request, purpose: str = ""):
    return actor_for(request.user, ip=client_ip(request), purpose=purpose)


def _own_institution(request) -> Institution | None:
    staff = staff_of(request.user)
    return Institution.objects.filter(pk=staff.org_unit_id).first() if staff else None


class OpenRecordForm(forms.Form):
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18)
    electronic = forms.BooleanField(label=_("电子档案"), required=False, initial=True)
    blood_type = forms.ChoiceField(
        label=_("血型"), choices=[("", "—"), *BloodType.choices], required=False
    )
    payment_type = forms.ChoiceField(
        label=_("医疗费用支付方式"), choices=[("", "—"), *PaymentType.choices], required=False
    )
    occupation = forms.CharField(label=_("职业"), max_length=40, required=False)


@staff_required
def open_record(request):
    form = OpenRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = _actor(request, "建立健康档案")
        try:
            person = lookup_person(actor=actor, id_number=data["id_number"], purpose="建立健康档案")
            record = records.open_record(
                actor=actor,
                person=person,
                electronic=data["electronic"],
                institution=_own_institution(request),
                responsible_doctor=actor.name,
                blood_type=data["blood_type"],
                payment_type=data["payment_type"],
                occupation=data["occupation"],
            )
        except Person.DoesNotExist as exc:
            form.add_error("id_number", str(exc.args[0]) if exc.args else _("未找到该居民。"))
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("已建档，档案编号 %(code)s。") % {"code": record.record_code}
            )
            return redirect("health:record", record_code=record.record_code)
    return render(request, "health/open.html", {"form": form})


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=CheckKind.choices)
    checked_on = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    systolic = forms.CharField(label=_("收缩压（mmHg）"), required=False)
    diastolic = forms.CharField(label=_("舒张压（mmHg）"), required=False)
    heart_rate = forms.CharField(label=_("心率（次/分）"), required=False)
    fasting_glucose = forms.CharField(label=_("空腹血糖（mmol/L）"), required=False)
    height_cm = forms.CharField(label=_("身高（cm）"), required=False)
    weight_kg = forms.CharField(label=_("体重（kg）"), required=False)


class ReferralForm(forms.Form):
    to_institution = forms.ModelChoiceField(
        label=_("接收机构"), queryset=Institution.objects.none()
    )
    reason = forms.CharField(label=_("转诊原因"), max_length=300)
    diagnosis_icd10 = forms.CharField(label=_("初步诊断编码"), max_length=8)

    def __init__(self, *args, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Institution.objects.select_related("org_unit").order_by("level", "org_unit__name")
        if exclude is not None:
            qs = qs.exclude(pk=exclude.pk).exclude(level=exclude.level)
        self.fields["to_institution"].queryset = qs


def _record(request, record_code: str, purpose: str) -> HealthRecord:
    try:
        return records.access_record(
            actor=_actor(request), record_code=record_code, purpose=purpose
        )
    except HealthRecord.DoesNotExist:
        raise Http404 from None


@staff_required
def add_check(request, record_code: str):
    record = _record(request, record_code, "登记体检")
    form = CheckForm(
        request.POST or None, initial={"checked_on": timezone.localdate(), "kind": CheckKind.ANNUAL}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            records.record_check(
                actor=_actor(request),
                record=record,
                kind=data.pop("kind"),
                checked_on=data.pop("checked_on"),
                institution=_own_institution(request),
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("体检已登记。"))
            return redirect("health:record", record_code=record.record_code)
    return render(
        request, "health/form.html", {"record": record, "form": form, "title": _("登记体检")}
    )


@staff_required
def request_referral(request, record_code: str):
    record = _record(request, record_code, "双向转诊")
    own = _own_institution(request)
    if own is None:
        raise PermissionDenied(_("您所在单位不是医疗卫生机构，不能发起转诊。"))
    form = ReferralForm(request.POST or None, exclude=own)
    if request.method == "POST" and form.is_valid():
        try:
            care.request_referral(
                actor=_actor(request), record=record, from_institution=own, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("转诊申请已发出。"))
            return redirect("health:record", record_code=record.record_code)
    return render(
        request, "health/form.html", {"record": record, "form": form, "title": _("发起转诊")}
    )


class ContractForm(forms.Form):
    team = forms.ModelChoiceField(label=_("签约团队"), queryset=FamilyDoctorTeam.objects.none())
    signed_on = forms.DateField(
        label=_("签约日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    package = forms.CharField(label=_("服务包"), max_length=60, required=False)

    def __init__(self, *args, record: HealthRecord, **kwargs):
        super().__init__(*args, **kwargs)
        teams = [
            t.pk for t in FamilyDoctorTeam.objects.all() if record.area_code.startswith(t.area_code)
        ]
        self.fields["team"].queryset = FamilyDoctorTeam.objects.filter(pk__in=teams)


@staff_required
def sign_contract(request, record_code: str):
    record = _record(request, record_code, "家庭医生签约")
    form = ContractForm(
        request.POST or None, record=record, initial={"signed_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            care.sign_contract(actor=_actor(request), record=record, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已签约。"))
            return redirect("health:record", record_code=record.record_code)
    return render(
        request, "health/form.html", {"record": record, "form": form, "title": _("家庭医生签约")}
    )
