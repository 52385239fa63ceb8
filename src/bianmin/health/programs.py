"""Key-population follow-ups as programs of the `programs` engine (no second engine here):
this module contributes the diagnosis condition, the program definitions, and the one service
that records a follow-up both as the engine's visit and as the record's measurements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from bianmin.core.audit import SYSTEM, Actor
from bianmin.health.models import CheckKind, ConditionCategory, HealthCheck, HealthRecord
from bianmin.health.models.records import Condition, ConditionStatus
from bianmin.health.services.common import ensure_active, ensure_health_area
from bianmin.health.services.records import record_check
from bianmin.programs import rules
from bianmin.programs.models import FACE_TO_FACE, Program
from bianmin.programs.services import active_enrolment, define_program, record_visit


def has_diagnosis(*, categories: list[str]) -> Q:
    bad = set(categories) - set(ConditionCategory.values)
    if bad or not categories:
        from django.core.exceptions import ValidationError

        raise ValidationError(f"unknown diagnosis categories {sorted(bad)}", code="bad_args")
    return Q(
        Exists(
            Condition.unscoped.filter(
                record__person=OuterRef("pk"),
                record__status="active",
                category__in=categories,
                status=ConditionStatus.ACTIVE,
            )
        )
    )


def register() -> None:
    rules.register_condition("health.diagnosis", has_diagnosis, label="健康档案确诊")


def _diagnosed(category: str) -> dict[str, Any]:
    return {"conditions": [{"name": "health.diagnosis", "args": {"categories": [category]}}]}


_BP = [
    {
        "key": "sbp",
        "label": "收缩压",
        "type": "int",
        "unit": "mmHg",
        "min": 40,
        "max": 300,
        "required": True,
    },
    {
        "key": "dbp",
        "label": "舒张压",
        "type": "int",
        "unit": "mmHg",
        "min": 20,
        "max": 200,
        "required": True,
    },
]
_BP_CHECK = {"check": "gt", "left": "sbp", "right": "dbp", "message": "收缩压应高于舒张压。"}
_CONTROL = {
    "key": "control",
    "label": "此次随访分类",
    "type": "choice",
    "required": True,
    "choices": [
        ["good", "控制满意"],
        ["poor", "控制不满意"],
        ["adverse", "不良反应"],
        ["complication", "并发症"],
    ],
}
_OUTCOMES = [["continue", "继续随访"], ["refer", "转诊"]]
_HEALTH = {
    "sector": "health",
    "responsible_unit_kind": "health",
    "responsible_role": "doctor",
    "restricted_to": "WJ",
}

# code -> (definition, check kind the visit's measurements are filed as)
PROGRAMS: dict[str, tuple[dict[str, Any], str]] = {
    "health-hypertension": (
        {
            "name": "高血压患者健康管理",
            "eligibility": {"min_age": 35, **_diagnosed(ConditionCategory.HYPERTENSION)},
            "enrolment_mode": "auto",
            "schedule_kind": "every_n_months",
            "interval_months": 3,  # ≥4 face-to-face follow-ups a year
            "counted_kinds": ["clinic", "home"],
            "form_schema": [
                *_BP,
                {
                    "key": "heart_rate",
                    "label": "心率",
                    "type": "int",
                    "unit": "次/分",
                    "min": 20,
                    "max": 250,
                },
                _CONTROL,
                _BP_CHECK,
            ],
            "outcomes": _OUTCOMES,
        },
        CheckKind.FOLLOW_UP,
    ),
    "health-t2d": (
        {
            "name": "2型糖尿病患者健康管理",
            "eligibility": {"min_age": 35, **_diagnosed(ConditionCategory.DIABETES)},
            "enrolment_mode": "auto",
            "schedule_kind": "every_n_months",
            "interval_months": 3,
            "counted_kinds": ["clinic", "home"],
            "form_schema": [
                {
                    "key": "glucose",
                    "label": "空腹血糖",
                    "type": "decimal",
                    "unit": "mmol/L",
                    "min": 1,
                    "max": 35,
                    "required": True,
                },
                *[{**f, "required": False} for f in _BP],
                _CONTROL,
                _BP_CHECK,
            ],
            "outcomes": _OUTCOMES,
        },
        CheckKind.FOLLOW_UP,
    ),
    "health-elderly": (
        {
            "name": "65岁及以上老年人健康管理",
            "eligibility": {"min_age": 65},
            "enrolment_mode": "auto",
            "schedule_kind": "yearly",
            "counted_kinds": ["clinic", "home"],
            "form_schema": [
                *_BP,
                {
                    "key": "glucose",
                    "label": "空腹血糖",
                    "type": "decimal",
                    "unit": "mmol/L",
                    "min": 1,
                    "max": 35,
                },
                {
                    "key": "height",
                    "label": "身高",
                    "type": "decimal",
                    "unit": "cm",
                    "min": 30,
                    "max": 250,
                },
                {
                    "key": "weight",
                    "label": "体重",
                    "type": "decimal",
                    "unit": "kg",
                    "min": 1,
                    "max": 300,
                },
                _BP_CHECK,
            ],
        },
        CheckKind.ELDERLY,
    ),
    "health-children": (
        {
            "name": "0～6岁儿童健康管理",
            "eligibility": {"max_age": 7},
            "enrolment_mode": "auto",
            "schedule_kind": "plan",
            # 新生儿访视 and the check-ups at 1, 3, 6, 8, 12, 18, 24, 30, 36 months, then yearly.
            "plan_offsets": [0, 1, 3, 6, 8, 12, 18, 24, 30, 36, 48, 60, 72],
            "plan_anchor": "birth",
            "plan_window_days": 30,
            "counted_kinds": ["clinic", "home"],
            "form_schema": [
                {
                    "key": "height",
                    "label": "身长（身高）",
                    "type": "decimal",
                    "unit": "cm",
                    "min": 30,
                    "max": 150,
                    "required": True,
                },
                {
                    "key": "weight",
                    "label": "体重",
                    "type": "decimal",
                    "unit": "kg",
                    "min": 1,
                    "max": 60,
                    "required": True,
                },
                {
                    "key": "development",
                    "label": "发育评估",
                    "type": "choice",
                    "required": True,
                    "choices": [["normal", "通过"], ["delayed", "未通过"]],
                },
            ],
        },
        CheckKind.ANNUAL,
    ),
    "health-maternal": (
        {
            "name": "孕产妇健康管理",
            "eligibility": {"sex": "F", "tags_all": ["pregnant"]},
            "enrolment_mode": "manual",
            "schedule_kind": "plan",
            # 孕早期建册, 孕中期 2 次, 孕晚期 2 次 after enrolment; 产后访视 is a visit of its own.
            "plan_offsets": [0, 3, 5, 7, 8],
            "plan_anchor": "enrolment",
            "plan_window_days": 21,
            "counted_kinds": ["clinic", "home"],
            "form_schema": [
                *_BP,
                {
                    "key": "weight",
                    "label": "体重",
                    "type": "decimal",
                    "unit": "kg",
                    "min": 30,
                    "max": 200,
                },
                _BP_CHECK,
            ],
        },
        CheckKind.FOLLOW_UP,
    ),
    "health-smi": (
        {
            "name": "严重精神障碍患者管理",
            "eligibility": _diagnosed(ConditionCategory.MENTAL),
            "enrolment_mode": "auto",
            "schedule_kind": "every_n_months",
            "interval_months": 3,
            "counted_kinds": ["clinic", "home", "phone"],
            "form_schema": [
                {
                    "key": "risk",
                    "label": "危险性评估",
                    "type": "int",
                    "min": 0,
                    "max": 5,
                    "required": True,
                },
                {
                    "key": "medication",
                    "label": "服药依从性",
                    "type": "choice",
                    "required": True,
                    "choices": [["regular", "规律"], ["irregular", "间断"], ["none", "不服药"]],
                },
            ],
            "outcomes": _OUTCOMES,
        },
        CheckKind.FOLLOW_UP,
    ),
    "health-tb": (
        {
            "name": "肺结核患者健康管理",
            "eligibility": _diagnosed(ConditionCategory.TUBERCULOSIS),
            "enrolment_mode": "auto",
            "schedule_kind": "every_n_months",
            "interval_months": 1,  # monthly during the treatment course
            "counted_kinds": ["clinic", "home"],
            "form_schema": [
                {
                    "key": "doses_missed",
                    "label": "漏服次数",
                    "type": "int",
                    "min": 0,
                    "max": 31,
                    "required": True,
                },
                {"key": "adverse", "label": "不良反应", "type": "bool"},
            ],
            "outcomes": _OUTCOMES,
        },
        CheckKind.FOLLOW_UP,
    ),
}

# form key -> HealthCheck measurement
_MEASURES = {
    "sbp": "systolic",
    "dbp": "diastolic",
    "heart_rate": "heart_rate",
    "glucose": "fasting_glucose",
    "height": "height_cm",
    "weight": "weight_kg",
}


def ensure_programs(*, actor: Actor = SYSTEM) -> list[Program]:
    """Define (or update) the key-population programs; idempotent."""
    return [
        define_program(actor=actor, code=code, **_HEALTH, **definition)
        for code, (definition, _kind) in PROGRAMS.items()
    ]


@transaction.atomic
def record_follow_up(
    *,
    actor: Actor,
    record: HealthRecord,
    program: Program,
    visited_on: dt.date,
    kind: str,
    data: dict[str, Any],
    outcome: str = "",
    notes: str = "",
) -> HealthCheck | None:
    """A follow-up visit: the engine's visit (form checked there, schedule moved) and, when the
    form carries measurements, a HealthCheck of the record (ranges checked again there), in one
    transaction. A visit for someone not enrolled is refused (`not_enrolled`)."""
    ensure_health_area(record.area_code)
    ensure_active(record)
    enrolment = active_enrolment(program=program, person=record.person_id)
    visit = record_visit(
        actor=actor,
        enrolment=enrolment,
        visited_on=visited_on,
        kind=kind,
        data=data,
        outcome=outcome,
        notes=notes,
    )
    vitals = {
        field: visit.data[key]
        for key, field in _MEASURES.items()
        if visit.data.get(key) not in (None, "")
    }
    if not vitals:
        return None
    check_kind = PROGRAMS.get(program.code, ({}, CheckKind.FOLLOW_UP))[1]
    return record_check(
        actor=actor,
        record=record,
        kind=check_kind,
        checked_on=visited_on,
        face_to_face=kind in FACE_TO_FACE,
        program_visit_id=visit.pk,
        **vitals,
    )
