"""Opening, reading and filling a resident's health record. Every write is atomic and audited;
every read of a record goes through `access_record`, which checks the area and audits."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.health.models import (
    CheckKind,
    Condition,
    ConditionCategory,
    HealthCheck,
    HealthRecord,
    HistoryEntry,
    HistoryKind,
    Institution,
    RecordCounter,
    RecordStatus,
)
from bianmin.health.models.records import BloodType, CloseReason, PaymentType
from bianmin.health.services.common import (
    OutOfArea,
    check_service_date,
    ensure_active,
    ensure_health_area,
)
from bianmin.registry.models import Division, DivisionLevel, LifeStatus, Person

OBJECT = "health_record"

# ICD-10 prefixes of the key-population diagnoses (基本公共卫生服务规范).
_CATEGORY_PREFIXES = (
    (ConditionCategory.HYPERTENSION, ("I10", "I11", "I12", "I13", "I15")),
    (ConditionCategory.DIABETES, ("E11",)),
    (ConditionCategory.MENTAL, ("F20", "F22", "F25", "F31", "F06", "F70", "F71", "F72")),
    (ConditionCategory.TUBERCULOSIS, ("A15", "A16", "A17", "A18", "A19")),
)
_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")

# Plausible ranges (the form refuses anything outside: typing errors, not patients).
RANGES: dict[str, tuple[Decimal, Decimal, str]] = {
    "systolic": (Decimal(40), Decimal(300), "mmHg"),
    "diastolic": (Decimal(20), Decimal(200), "mmHg"),
    "heart_rate": (Decimal(20), Decimal(250), _("次/分")),
    "fasting_glucose": (Decimal("1.0"), Decimal("35.0"), "mmol/L"),
    "height_cm": (Decimal(30), Decimal(250), "cm"),
    "weight_kg": (Decimal(1), Decimal(300), "kg"),
}


def category_of(icd10: str) -> str:
    code = icd10.upper()
    for category, prefixes in _CATEGORY_PREFIXES:
        if code.startswith(prefixes):
            return category
    return ConditionCategory.OTHER


def label(record: HealthRecord) -> str:
    return f"{record.record_code} {record.person.name}"


# --- Codes ----------------------------------------------------------------------------------


def next_record_code(village: Division) -> str:
    """`village code (12) + serial (5)`, the serial taken under the village counter's lock.

    Call inside the transaction that creates the record, so a rolled-back record gives its
    serial back with it."""
    if village.level != DivisionLevel.VILLAGE or not re.fullmatch(r"[0-9]{12}", village.code):
        raise ValidationError(
            _("建档地须为村（社区），其12位统计用区划代码用于编制档案编号。"),
            code="not_a_village",
        )
    RecordCounter.objects.get_or_create(village=village)
    RecordCounter.objects.filter(village=village).update(last_serial=F("last_serial") + 1)
    serial = RecordCounter.objects.values_list("last_serial", flat=True).get(village=village)
    if serial > 99999:
        raise ValidationError(_("该村（社区）档案流水号已用尽。"), code="serial_exhausted")
    return f"{village.code}{serial:05d}"


# --- Opening and reading --------------------------------------------------------------------


def _choice(value: str, choices, field: str) -> str:
    if value and value not in choices.values:
        raise ValidationError({field: ValidationError(_("选项无效。"), code="invalid_choice")})
    return value


@transaction.atomic
def open_record(
    *,
    actor: Actor,
    person: Person,
    opened_on: dt.date | None = None,
    electronic: bool = True,
    institution: Institution | None = None,
    responsible_doctor: str = "",
    blood_type: str = "",
    payment_type: str = "",
    occupation: str = "",
) -> HealthRecord:
    """建档: one record per resident, in the village/community where they live."""
    person = Person.unscoped.select_related("residence_division").get(pk=person.pk)
    ensure_health_area(person.area_code)
    if person.life_status != LifeStatus.ALIVE:
        raise ValidationError(
            _("该居民状态为“%(status)s”，不能建立健康档案。")
            % {"status": person.get_life_status_display()},
            code="not_alive",
        )
    if HealthRecord.unscoped.filter(person=person).exists():
        raise ValidationError(_("该居民已建立健康档案，一人一档。"), code="record_exists")
    village = person.residence_division or person.registered_division
    if village is None:
        raise ValidationError(_("该居民没有登记居住村（社区）。"), code="no_village")
    opened_on = opened_on or timezone.localdate()
    check_service_date(opened_on, person, field="opened_on")
    record = HealthRecord(
        person=person,
        record_code=next_record_code(village),
        village=village,
        area_code=person.area_code,
        institution=institution,
        responsible_doctor=responsible_doctor[:60],
        electronic=electronic,
        blood_type=_choice(blood_type, BloodType, "blood_type"),
        payment_type=_choice(payment_type, PaymentType, "payment_type"),
        occupation=occupation[:40],
        opened_on=opened_on,
    )
    record.complete = completeness(record, has_check=False)
    record.save(force_insert=True)
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type=OBJECT,
        object_id=record.record_code,
        object_label=label(record),
        changes={"electronic": electronic, "village": village.code},
    )
    return record


def access_record(*, actor: Actor, record_code: str, purpose: str = "") -> HealthRecord:
    """Read one record for display: the area's health team only, and audited. Anyone else is
    refused with `OutOfArea` (their way in is a sharing grant with the resident's consent)."""
    try:
        record = HealthRecord.objects.select_related(
            "person", "village", "institution__org_unit"
        ).get(record_code=record_code)
    except HealthRecord.DoesNotExist:
        if HealthRecord.unscoped.filter(record_code=record_code).exists():
            raise OutOfArea() from None
        raise HealthRecord.DoesNotExist(_("没有该编号的健康档案。")) from None
    audit.record(
        actor.with_purpose(purpose or actor.purpose or "健康档案查阅"),
        AuditAction.READ,
        object_type=OBJECT,
        object_id=record.record_code,
        object_label=label(record),
    )
    return record


def record_of_person(person_id: int) -> HealthRecord | None:
    """The record of a person (scoped; no audit: for links, not for showing the content)."""
    return HealthRecord.objects.filter(person_id=person_id).only("record_code").first()


# --- Completeness (合格) --------------------------------------------------------------------


def completeness(record: HealthRecord, *, has_check: bool | None = None) -> bool:
    """合格档案: basic information complete (blood type, payment type, responsible
    institution), history asked (entries on file or explicitly none) and at least one
    check-up. A documented, checkable rule in place of seed 002's 抽查 by hand."""
    if has_check is None:
        has_check = record.pk is not None and record.checks.exists()
    basic = bool(record.blood_type and record.payment_type and record.institution_id)
    return basic and record.history_reviewed and has_check


def _refresh_completeness(record: HealthRecord) -> None:
    value = completeness(record)
    if value != record.complete:
        record.complete = value
        HealthRecord.unscoped.filter(pk=record.pk).update(complete=value)


_BASIC = ("blood_type", "payment_type", "occupation", "responsible_doctor", "electronic")


@transaction.atomic
def update_basic(*, actor: Actor, record: HealthRecord, **changes: Any) -> HealthRecord:
    ensure_health_area(record.area_code)
    ensure_active(record)
    unknown = set(changes) - {*_BASIC, "institution"}
    if unknown:
        raise ValidationError(_("不可修改的字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    _choice(changes.get("blood_type", ""), BloodType, "blood_type")
    _choice(changes.get("payment_type", ""), PaymentType, "payment_type")
    before = {k: getattr(record, k) for k in changes if k != "institution"}
    for k, v in changes.items():
        setattr(record, k, v)
    record.complete = completeness(record)
    record.save()
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type=OBJECT,
        object_id=record.record_code,
        object_label=label(record),
        changes={k: [before.get(k), str(v)] for k, v in changes.items()},
    )
    return record


# --- History and diagnoses ------------------------------------------------------------------


def _check_icd10(code: str, *, field: str = "icd10", required: bool = True) -> str:
    code = (code or "").strip().upper()
    if not code and not required:
        return ""
    if not _ICD10.fullmatch(code):
        raise ValidationError(
            {
                field: ValidationError(
                    _("ICD-10 编码格式应为字母加两位数字，可带小数点后缀，如 I10、E11.9。"),
                    code="invalid_icd10",
                )
            }
        )
    return code


@transaction.atomic
def add_history(
    *,
    actor: Actor,
    record: HealthRecord,
    kind: str,
    name: str,
    icd10: str = "",
    occurred_on: dt.date | None = None,
    relation: str = "",
    note: str = "",
) -> HistoryEntry:
    ensure_health_area(record.area_code)
    ensure_active(record)
    if kind not in HistoryKind.values:
        raise ValidationError({"kind": ValidationError(_("类别无效。"), code="invalid_choice")})
    if not (name or "").strip():
        raise ValidationError({"name": ValidationError(_("请填写名称。"), code="required")})
    if kind == HistoryKind.FAMILY and not relation:
        raise ValidationError(
            {"relation": ValidationError(_("家族史须注明亲属关系。"), code="relation_required")}
        )
    if occurred_on is not None and kind != HistoryKind.FAMILY:
        check_service_date(occurred_on, record.person, field="occurred_on")
    entry = HistoryEntry.objects.create(
        record=record,
        kind=kind,
        name=name.strip()[:100],
        icd10=_check_icd10(icd10, required=False),
        occurred_on=occurred_on,
        relation=relation,
        note=note[:200],
    )
    if not record.history_reviewed:
        record.history_reviewed = True
        HealthRecord.unscoped.filter(pk=record.pk).update(history_reviewed=True)
    _refresh_completeness(record)
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type=OBJECT,
        object_id=record.record_code,
        object_label=label(record),
        changes={"history": [kind, entry.icd10 or entry.name]},
    )
    return entry


@transaction.atomic
def mark_history_reviewed(*, actor: Actor, record: HealthRecord) -> HealthRecord:
    """既往史、家族史已询问，均为“无”."""
    ensure_health_area(record.area_code)
    ensure_active(record)
    record.history_reviewed = True
    record.complete = completeness(record)
    record.save(update_fields=["history_reviewed", "complete", "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type=OBJECT,
        object_id=record.record_code,
        object_label=label(record),
        changes={"history_reviewed": True},
    )
    return record


@transaction.atomic
def add_condition(
    *,
    actor: Actor,
    record: HealthRecord,
    icd10: str,
    name: str,
    onset_on: dt.date,
) -> Condition:
    """A diagnosis; the key-population category follows from the ICD-10 code."""
    ensure_health_area(record.area_code)
    ensure_active(record)
    icd10 = _check_icd10(icd10)
    check_service_date(onset_on, record.person, field="onset_on")
    if not (name or "").strip():
        raise ValidationError({"name": ValidationError(_("请填写诊断名称。"), code="required")})
    condition = Condition.objects.create(
        record=record,
        icd10=icd10,
        name=name.strip()[:100],
        category=category_of(icd10),
        onset_on=onset_on,
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type=OBJECT,
        object_id=record.record_code,
        object_label=label(record),
        changes={"condition": icd10},
    )
    return condition


# --- Check-ups and measurements -------------------------------------------------------------


def _measure(field: str, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(
            {field: ValidationError(_("请填写数字。"), code="not_a_number")}
        ) from None
    low, high, unit = RANGES[field]
    if not low <= number <= high:
        raise ValidationError(
            {
                field: ValidationError(
                    _("%(value)s 超出可能范围（%(low)s–%(high)s %(unit)s）。"),
                    code="implausible_value",
                    params={"value": value, "low": low, "high": high, "unit": unit},
                )
            }
        )
    return number


def validate_vitals(values: dict[str, Any]) -> dict[str, Decimal | None]:
    clean = {f: _measure(f, values.get(f)) for f in RANGES}
    s, d = clean["systolic"], clean["diastolic"]
    if (s is None) != (d is None):
        raise ValidationError(
            {"diastolic": ValidationError(_("收缩压与舒张压须同时填写。"), code="bp_pair")}
        )
    if s is not None and d is not None and d >= s:
        raise ValidationError(
            {"diastolic": ValidationError(_("舒张压须低于收缩压。"), code="bp_order")}
        )
    return clean


@transaction.atomic
def record_check(
    *,
    actor: Actor,
    record: HealthRecord,
    kind: str,
    checked_on: dt.date,
    face_to_face: bool = True,
    institution: Institution | None = None,
    doctor: str = "",
    program_visit_id: int | None = None,
    **vitals: Any,
) -> HealthCheck:
    """A check-up or a follow-up's measurements, range-checked; nothing is saved on error."""
    ensure_health_area(record.area_code)
    ensure_active(record)
    if kind not in CheckKind.values:
        raise ValidationError({"kind": ValidationError(_("类型无效。"), code="invalid_choice")})
    unknown = set(vitals) - set(RANGES)
    if unknown:
        raise ValidationError(_("未知的测量项：%(f)s") % {"f": ", ".join(sorted(unknown))})
    check_service_date(checked_on, record.person, field="checked_on")
    clean = validate_vitals(vitals)
    if kind in (CheckKind.FIRST_VISIT,) and clean["systolic"] is None:
        raise ValidationError(
            {"systolic": ValidationError(_("首诊测血压须填写血压。"), code="bp_required")}
        )
    check = HealthCheck.objects.create(
        record=record,
        kind=kind,
        checked_on=checked_on,
        face_to_face=face_to_face,
        institution=institution or record.institution,
        doctor=(doctor or actor.name)[:60],
        program_visit_id=program_visit_id,
        created_by_id=actor.user_id,
        systolic=int(clean["systolic"]) if clean["systolic"] is not None else None,
        diastolic=int(clean["diastolic"]) if clean["diastolic"] is not None else None,
        heart_rate=int(clean["heart_rate"]) if clean["heart_rate"] is not None else None,
        fasting_glucose=clean["fasting_glucose"],
        height_cm=clean["height_cm"],
        weight_kg=clean["weight_kg"],
    )
    _refresh_completeness(record)
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type=OBJECT,
        object_id=record.record_code,
        object_label=label(record),
        changes={"check": [kind, str(checked_on)]},
    )
    return check


def needs_first_visit_bp(record: HealthRecord, *, on: dt.date) -> bool:
    """35岁以上首诊测血压: a resident aged 35+ with no blood pressure on file this year."""
    if record.person.age_on(on) < 35:
        return False
    return not record.checks.filter(checked_on__year=on.year, systolic__isnull=False).exists()


# --- Closing --------------------------------------------------------------------------------


@transaction.atomic
def close_record(*, actor: Actor, record: HealthRecord, reason: str, on: dt.date) -> HealthRecord:
    if reason not in CloseReason.values:
        raise ValidationError({"reason": ValidationError(_("原因无效。"), code="invalid_choice")})
    ensure_active(record)
    record.status, record.close_reason, record.closed_on = RecordStatus.CLOSED, reason, on
    record.save(update_fields=["status", "close_reason", "closed_on", "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type=OBJECT,
        object_id=record.record_code,
        object_label=label(record),
        changes={"status": "closed", "reason": reason, "on": str(on)},
    )
    return record
