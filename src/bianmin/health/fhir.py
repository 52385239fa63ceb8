"""A health record as a FHIR R4 Bundle (validated with `fhir.resources`' R4B models, the R4
release the library ships), and such a bundle imported back into a record.

What maps, both ways:
- Patient: identifier = the 17-digit record code (the ID number is never exported, not even
  masked: the record code is the identifier other systems need), name, gender, birthDate,
  deceasedDateTime, address text. On import the Patient must be the target record's person
  by gender and birth date, and is not otherwise written (the registry owns people).
- Condition (category problem-list-item): diagnoses, ICD-10, onset, clinical status.
- Condition (category bianmin history kind) / FamilyMemberHistory / AllergyIntolerance: past
  illnesses, surgery, trauma, transfusion; family history; drug allergies.
- Encounter: kind (class AMB/IMP + our type code), institution (serviceProvider identifier =
  org unit code), period, diagnosis (reasonCode, ICD-10), doctor (participant display).
- Observation: one check-up's measurements share an identifier; blood pressure as LOINC
  85354-9 with components 8480-6 / 8462-4, heart rate 8867-4, fasting glucose 1558-6, height
  8302-2, weight 29463-7; BMI 39156-5 is exported (derived) and not imported.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError as PydanticError

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.health.models import (
    CheckKind,
    EncounterKind,
    HealthRecord,
    HistoryKind,
    Institution,
)
from bianmin.health.models.records import ConditionStatus, FamilyRelation
from bianmin.health.services import care, records
from bianmin.registry.models import LifeStatus

BASE = "https://bianmin.wuhan.gov.cn/fhir"
RECORD_CODE = f"{BASE}/sid/health-record-code"
ORG_UNIT = f"{BASE}/sid/org-unit"
CHECK_ID = f"{BASE}/sid/health-check"
CHECK_KIND = f"{BASE}/CodeSystem/health-check-kind"
HISTORY_KIND = f"{BASE}/CodeSystem/history-kind"
ENCOUNTER_KIND = f"{BASE}/CodeSystem/encounter-kind"
CONTACT_MODE = f"{BASE}/CodeSystem/contact-mode"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"

# field -> (LOINC, display, UCUM unit, category)
SINGLE = {
    "heart_rate": ("8867-4", "Heart rate", "/min", "vital-signs"),
    "fasting_glucose": (
        "1558-6",
        "Fasting glucose [Moles/volume] in Serum or Plasma",
        "mmol/L",
        "laboratory",
    ),
    "height_cm": ("8302-2", "Body height", "cm", "vital-signs"),
    "weight_kg": ("29463-7", "Body weight", "kg", "vital-signs"),
}
BP_PANEL, SYSTOLIC, DIASTOLIC, BMI = "85354-9", "8480-6", "8462-4", "39156-5"
RELATION = {"father": "FTH", "mother": "MTH", "sibling": "SIB", "child": "CHILD"}
RELATION_BACK = {v: k for k, v in RELATION.items()}
ENCOUNTER_CLASS = {EncounterKind.INPATIENT: "IMP"}


def _ref(uid: str) -> dict[str, str]:
    return {"reference": uid}


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _icd(code: str, text: str) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text} if text else {}
    if code:
        concept["coding"] = [{"system": ICD10, "code": code}]
    return concept


def _quantity(value, unit: str) -> dict[str, Any]:
    number = float(value) if isinstance(value, Decimal) else value
    return {"value": number, "unit": unit, "system": UCUM, "code": unit}


# --- Export ---------------------------------------------------------------------------------


def export_bundle(*, actor: Actor, record_code: str) -> dict[str, Any]:
    """The record as a FHIR collection Bundle (a dict, validated by fhir.resources), audited
    as an export."""
    record = records.access_record(actor=actor, record_code=record_code, purpose="FHIR 导出")
    bundle = build_bundle(record)
    audit.record(
        actor,
        AuditAction.EXPORT,
        object_type=records.OBJECT,
        object_id=record.record_code,
        object_label=records.label(record),
        changes={"format": "FHIR R4 Bundle", "entries": len(bundle["entry"])},
    )
    return bundle


def build_bundle(record: HealthRecord) -> dict[str, Any]:
    person = record.person
    patient_uid = _urn()
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": RECORD_CODE, "value": record.record_code}],
        "active": record.status == "active",
        "name": [{"text": person.name, "family": person.name[:1], "given": [person.name[1:]]}],
        "gender": "male" if person.sex == "M" else "female",
        "birthDate": person.birth_date.isoformat(),
        "address": [{"text": record.village.full_name or record.village.name, "country": "CN"}],
    }
    if person.life_status == LifeStatus.DECEASED and person.status_date:
        patient["deceasedDateTime"] = person.status_date.isoformat()
    entries = [{"fullUrl": patient_uid, "resource": patient}]
    subject = _ref(patient_uid)

    def add(resource: dict[str, Any]) -> None:
        entries.append({"fullUrl": _urn(), "resource": resource})

    for c in record.conditions.all():
        add(
            {
                "resourceType": "Condition",
                "clinicalStatus": _clinical(
                    "active" if c.status == ConditionStatus.ACTIVE else "resolved"
                ),
                "category": [
                    {"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}
                ],
                "code": _icd(c.icd10, c.name),
                "subject": subject,
                "onsetDateTime": c.onset_on.isoformat(),
            }
        )
    for h in record.history.all():
        add(_history_resource(h, subject))
    for e in record.encounters.select_related("institution__org_unit"):
        add(_encounter_resource(e, subject))
    for check in record.checks.all():
        for obs in _observations(record, check, subject):
            add(obs)
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "entry": entries,
    }
    Bundle.model_validate(bundle)  # never hand out what a FHIR library would refuse
    return bundle


def _clinical(code: str) -> dict[str, Any]:
    return {"coding": [{"system": CLINICAL, "code": code}]}


def _history_resource(h, subject) -> dict[str, Any]:
    if h.kind == HistoryKind.FAMILY:
        condition: dict[str, Any] = {"code": _icd(h.icd10, h.name)}
        if h.note:
            condition["note"] = [{"text": h.note}]
        return {
            "resourceType": "FamilyMemberHistory",
            "status": "completed",
            "patient": subject,
            "relationship": {"coding": [{"system": ROLE_CODE, "code": RELATION[h.relation]}]},
            "condition": [condition],
        }
    if h.kind == HistoryKind.ALLERGY:
        resource: dict[str, Any] = {
            "resourceType": "AllergyIntolerance",
            "patient": subject,
            "category": ["medication"],
            "code": _icd(h.icd10, h.name),
        }
        if h.occurred_on:
            resource["onsetDateTime"] = h.occurred_on.isoformat()
        if h.note:
            resource["note"] = [{"text": h.note}]
        return resource
    resource = {
        "resourceType": "Condition",
        "clinicalStatus": _clinical("resolved"),
        "category": [{"coding": [{"system": HISTORY_KIND, "code": h.kind}]}],
        "code": _icd(h.icd10, h.name),
        "subject": subject,
    }
    if h.occurred_on:
        resource["onsetDateTime"] = h.occurred_on.isoformat()
    if h.note:
        resource["note"] = [{"text": h.note}]
    return resource


def _encounter_resource(e, subject) -> dict[str, Any]:
    period = {"start": e.started_on.isoformat()}
    if e.ended_on:
        period["end"] = e.ended_on.isoformat()
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"system": ACT_CODE, "code": ENCOUNTER_CLASS.get(e.kind, "AMB")},
        "type": [
            {"coding": [{"system": ENCOUNTER_KIND, "code": e.kind}], "text": e.get_kind_display()}
        ],
        "subject": subject,
        "period": period,
        "serviceProvider": {
            "identifier": {"system": ORG_UNIT, "value": e.institution_id},
            "display": e.institution.org_unit.name,
        },
    }
    if e.diagnosis_icd10 or e.diagnosis_name:
        resource["reasonCode"] = [_icd(e.diagnosis_icd10, e.diagnosis_name)]
    if e.doctor:
        resource["participant"] = [{"individual": {"display": e.doctor}}]
    return resource


def _observations(record, check, subject) -> list[dict[str, Any]]:
    common = {
        "resourceType": "Observation",
        "identifier": [{"system": CHECK_ID, "value": f"{record.record_code}/{check.pk}"}],
        "status": "final",
        "subject": subject,
        "effectiveDateTime": check.checked_on.isoformat(),
        "method": {
            "coding": [
                {"system": CONTACT_MODE, "code": "face-to-face" if check.face_to_face else "remote"}
            ]
        },
    }
    if check.doctor:
        common["performer"] = [{"display": check.doctor}]

    def obs(loinc: str, display: str, category: str, **value) -> dict[str, Any]:
        return {
            **common,
            "category": [
                {"coding": [{"system": OBS_CATEGORY, "code": category}]},
                {"coding": [{"system": CHECK_KIND, "code": check.kind}]},
            ],
            "code": {"coding": [{"system": LOINC, "code": loinc, "display": display}]},
            **value,
        }

    out = []
    if check.systolic is not None:
        out.append(
            obs(
                BP_PANEL,
                "Blood pressure panel with all children optional",
                "vital-signs",
                component=[
                    {
                        "code": {"coding": [{"system": LOINC, "code": SYSTOLIC}]},
                        "valueQuantity": _quantity(check.systolic, "mm[Hg]"),
                    },
                    {
                        "code": {"coding": [{"system": LOINC, "code": DIASTOLIC}]},
                        "valueQuantity": _quantity(check.diastolic, "mm[Hg]"),
                    },
                ],
            )
        )
    for field, (loinc, display, unit, category) in SINGLE.items():
        value = getattr(check, field)
        if value is not None:
            out.append(obs(loinc, display, category, valueQuantity=_quantity(value, unit)))
    if check.bmi is not None:
        out.append(
            obs(BMI, "Body mass index", "vital-signs", valueQuantity=_quantity(check.bmi, "kg/m2"))
        )
    if not out:  # a check-up without measurements still says it happened
        out.append(obs("68604-8", "Health check", "exam", valueString="done"))
    return out


# --- Import ---------------------------------------------------------------------------------


def _invalid(message, **params) -> ValidationError:
    return ValidationError(message, code="invalid_fhir", params=params or None)


def parse_bundle(data: Any) -> Bundle:
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise _invalid(_("不是 FHIR Bundle（resourceType 须为 Bundle）。"))
    try:
        bundle = Bundle.model_validate(data)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ValidationError(
            _("FHIR Bundle 校验失败：%(where)s — %(msg)s"),
            code="invalid_fhir",
            params={"where": where, "msg": first.get("msg", "")},
        ) from None
    if bundle.type not in ("collection", "document", "transaction", "batch"):
        raise _invalid(_("不支持的 Bundle 类型：%(type)s。"), type=bundle.type)
    return bundle


def _code(concept, system: str) -> str:
    for coding in getattr(concept, "coding", None) or []:
        if coding.system == system and coding.code:
            return coding.code
    return ""


def _categories(resource, system: str) -> str:
    for concept in getattr(resource, "category", None) or []:
        code = _code(concept, system)
        if code:
            return code
    return ""


def _day(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@transaction.atomic
def import_bundle(*, actor: Actor, record_code: str, data: Any) -> dict[str, int]:
    """Add the bundle's mapped content to the record `record_code`. All or nothing: an invalid
    bundle or entry (unknown institution, impossible value, other person) changes nothing."""
    bundle = parse_bundle(data)
    record = records.access_record(actor=actor, record_code=record_code, purpose="FHIR 导入")
    resources = [e.resource for e in (bundle.entry or []) if e.resource is not None]
    patients = [r for r in resources if r.get_resource_type() == "Patient"]
    if len(patients) != 1:
        raise _invalid(_("Bundle 须含且仅含一个 Patient。"))
    _check_patient(patients[0], record)
    counts: dict[str, int] = defaultdict(int)
    checks: dict[str, list] = defaultdict(list)
    for r in resources:
        kind = r.get_resource_type()
        if kind == "Condition":
            _import_condition(actor, record, r)
        elif kind == "FamilyMemberHistory":
            _import_family(actor, record, r)
        elif kind == "AllergyIntolerance":
            records.add_history(
                actor=actor,
                record=record,
                kind=HistoryKind.ALLERGY,
                name=r.code.text or _code(r.code, ICD10),
                icd10=_code(r.code, ICD10),
                occurred_on=_day(r.onsetDateTime),
                note=r.note[0].text if r.note else "",
            )
        elif kind == "Encounter":
            _import_encounter(actor, record, r)
        elif kind == "Observation":
            key = next((i.value for i in r.identifier or [] if i.system == CHECK_ID), None)
            checks[key or f"{_day(r.effectiveDateTime)}"].append(r)
            continue
        elif kind == "Patient":
            continue
        else:
            counts["skipped"] += 1
            continue
        counts[kind] += 1
    for group in checks.values():
        _import_check(actor, record, group)
        counts["HealthCheck"] += 1
    audit.record(
        actor,
        AuditAction.IMPORT,
        object_type=records.OBJECT,
        object_id=record.record_code,
        object_label=records.label(record),
        changes=dict(counts),
    )
    return dict(counts)


def _check_patient(patient, record: HealthRecord) -> None:
    person = record.person
    gender = "male" if person.sex == "M" else "female"
    if patient.gender != gender or _day(patient.birthDate) != person.birth_date:
        raise ValidationError(
            _("Bundle 中的 Patient 与该档案的居民不符（性别或出生日期不同）。"),
            code="patient_mismatch",
        )


def _import_condition(actor, record, r) -> None:
    kind = _categories(r, HISTORY_KIND)
    icd10 = _code(r.code, ICD10)
    name = (r.code.text if r.code else "") or icd10
    if kind:
        records.add_history(
            actor=actor,
            record=record,
            kind=kind,
            name=name,
            icd10=icd10,
            occurred_on=_day(r.onsetDateTime),
            note=r.note[0].text if r.note else "",
        )
        return
    if not r.onsetDateTime:
        raise _invalid(_("Condition 缺少 onsetDateTime（确诊日期）。"))
    condition = records.add_condition(
        actor=actor, record=record, icd10=icd10, name=name, onset_on=_day(r.onsetDateTime)
    )
    if _code(r.clinicalStatus, CLINICAL) in ("resolved", "inactive", "remission"):
        condition.status = ConditionStatus.RESOLVED
        condition.save(update_fields=["status"])


def _import_family(actor, record, r) -> None:
    relation = RELATION_BACK.get(_code(r.relationship, ROLE_CODE))
    if relation not in FamilyRelation.values:
        raise _invalid(_("FamilyMemberHistory 的亲属关系无法识别。"))
    for c in r.condition or [{}]:
        code = getattr(c, "code", None)
        records.add_history(
            actor=actor,
            record=record,
            kind=HistoryKind.FAMILY,
            name=(code.text if code else "") or _code(code, ICD10),
            icd10=_code(code, ICD10),
            relation=relation,
            note=c.note[0].text if getattr(c, "note", None) else "",
        )


def _import_encounter(actor, record, r) -> None:
    provider = r.serviceProvider
    org = provider.identifier.value if provider and provider.identifier else None
    institution = Institution.objects.filter(pk=org).first() if org else None
    if institution is None:
        raise ValidationError(
            _("Encounter 的机构 %(org)s 不在本平台的医疗卫生机构中。"),
            code="unknown_institution",
            params={"org": org or "—"},
        )
    kind = next((_code(t, ENCOUNTER_KIND) for t in r.type or [] if _code(t, ENCOUNTER_KIND)), "")
    if not kind:
        kind = EncounterKind.INPATIENT if r.class_fhir.code == "IMP" else EncounterKind.OUTPATIENT
    reason = (r.reasonCode or [None])[0]
    if r.period is None or r.period.start is None:
        raise _invalid(_("Encounter 缺少 period.start（就诊日期）。"))
    care.add_encounter(
        actor=actor,
        record=record,
        kind=kind,
        institution=institution,
        started_on=_day(r.period.start),
        ended_on=_day(r.period.end),
        diagnosis_icd10=_code(reason, ICD10) if reason else "",
        diagnosis_name=(reason.text or "") if reason else "",
        doctor=r.participant[0].individual.display if r.participant else "",
    )


def _import_check(actor, record, group: list) -> None:
    first = group[0]
    kind = _categories(first, CHECK_KIND) or CheckKind.ANNUAL
    mode = _code(first.method, CONTACT_MODE) if first.method else ""
    vitals: dict[str, Any] = {}
    by_loinc = {loinc: field for field, (loinc, *_rest) in SINGLE.items()}
    for obs in group:
        loinc = _code(obs.code, LOINC)
        if loinc == BP_PANEL:
            for comp in obs.component or []:
                code = _code(comp.code, LOINC)
                value = comp.valueQuantity.value if comp.valueQuantity else None
                if code == SYSTOLIC:
                    vitals["systolic"] = value
                elif code == DIASTOLIC:
                    vitals["diastolic"] = value
        elif loinc in by_loinc and obs.valueQuantity is not None:
            vitals[by_loinc[loinc]] = obs.valueQuantity.value
    if first.effectiveDateTime is None:
        raise _invalid(_("Observation 缺少 effectiveDateTime。"))
    records.record_check(
        actor=actor,
        record=record,
        kind=kind,
        checked_on=_day(first.effectiveDateTime),
        face_to_face=mode != "remote",
        doctor=first.performer[0].display if first.performer else "",
        **vitals,
    )
