from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from fhir.resources.R4B.bundle import Bundle

from bianmin.core.scope import acting_in
from bianmin.health import fhir, indicators
from bianmin.health.models import CheckKind, Encounter, HealthCheck, InstitutionLevel
from bianmin.health.services import care, records
from bianmin.indicators import engine
from bianmin.indicators.library import Year
from bianmin.registry.access import actor_for, scope_for
from bianmin.registry.models import Person
from tests import factories
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db


def _fill(record, actor, institution):
    records.add_condition(
        actor=actor, record=record, icd10="I10", name="原发性高血压", onset_on=dt.date(2019, 4, 2)
    )
    records.add_history(
        actor=actor, record=record, kind="family", name="糖尿病", icd10="E11", relation="mother"
    )
    records.add_history(actor=actor, record=record, kind="allergy", name="青霉素")
    records.add_history(
        actor=actor,
        record=record,
        kind="surgery",
        name="阑尾切除术",
        occurred_on=dt.date(1990, 7, 1),
    )
    records.record_check(
        actor=actor,
        record=record,
        kind=CheckKind.FOLLOW_UP,
        checked_on=dt.date(2025, 2, 3),
        systolic=146,
        diastolic=92,
        heart_rate=76,
        fasting_glucose="6.1",
        height_cm="160",
        weight_kg="58.5",
        doctor="王医生",
    )
    care.add_encounter(
        actor=actor,
        record=record,
        kind="inpatient",
        institution=institution,
        started_on=dt.date(2025, 1, 10),
        ended_on=dt.date(2025, 1, 15),
        diagnosis_icd10="I10",
        diagnosis_name="高血压",
        doctor="李医生",
    )


def _mapped(bundle):
    """The mapped content, without ids and the Patient's name/identifier."""
    out = []
    for e in bundle["entry"]:
        r = dict(e["resource"])
        if r["resourceType"] == "Patient":
            out.append(("Patient", r["gender"], r["birthDate"]))
            continue
        r.pop("identifier", None)
        r.pop("subject", None)
        r.pop("patient", None)
        out.append((r["resourceType"], repr(sorted(r.items()))))
    return sorted(out)


def test_export_is_valid_fhir_without_the_id_number(record, system_actor, dazhi_centre):
    _fill(record, system_actor, dazhi_centre)
    bundle = fhir.export_bundle(actor=system_actor, record_code=record.record_code)
    parsed = Bundle.model_validate(bundle)
    kinds = sorted(e.resource.get_resource_type() for e in parsed.entry)
    assert kinds.count("Observation") == 6  # BP panel, HR, glucose, height, weight, BMI
    assert {
        "Patient",
        "Condition",
        "Encounter",
        "FamilyMemberHistory",
        "AllergyIntolerance",
    } <= set(kinds)
    patient = bundle["entry"][0]["resource"]
    assert patient["identifier"] == [{"system": fhir.RECORD_CODE, "value": record.record_code}]
    text = str(bundle)
    assert record.person.id_masked not in text
    bp = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "85354-9"
    )
    assert [c["code"]["coding"][0]["code"] for c in bp["component"]] == ["8480-6", "8462-4"]


def test_round_trip_into_a_fresh_record(record, system_actor, dazhi_centre):
    _fill(record, system_actor, dazhi_centre)
    first = fhir.export_bundle(actor=system_actor, record_code=record.record_code)
    twin = factories.person(
        community=BAOCHENG, name="李秀兰", birth=record.person.birth_date, male=False
    )
    fresh = records.open_record(actor=system_actor, person=twin, institution=dazhi_centre)
    counts = fhir.import_bundle(actor=system_actor, record_code=fresh.record_code, data=first)
    assert counts["HealthCheck"] == 1 and counts["Encounter"] == 1
    second = fhir.export_bundle(actor=system_actor, record_code=fresh.record_code)
    assert _mapped(second) == _mapped(first)


def test_invalid_bundle_changes_nothing(record, system_actor, dazhi_centre):
    _fill(record, system_actor, dazhi_centre)
    good = fhir.export_bundle(actor=system_actor, record_code=record.record_code)
    twin = factories.person(
        community=BAOCHENG, name="李秀兰", birth=record.person.birth_date, male=False
    )
    fresh = records.open_record(actor=system_actor, person=twin, institution=dazhi_centre)
    broken = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": "Observation"}}],
    }
    with pytest.raises(ValidationError) as exc:
        fhir.import_bundle(actor=system_actor, record_code=fresh.record_code, data=broken)
    assert exc.value.code == "invalid_fhir"
    # A valid bundle with one impossible value: the earlier entries are rolled back too.
    for e in good["entry"]:
        for c in e["resource"].get("component", []):
            c["valueQuantity"]["value"] = 400
    with pytest.raises(ValidationError):
        fhir.import_bundle(actor=system_actor, record_code=fresh.record_code, data=good)
    assert not fresh.conditions.exists() and not fresh.checks.exists()
    assert not Encounter.objects.filter(record=fresh).exists()


def test_fhir_api_export_and_refusal_outside_area(client, record, dazhi_doctor, minzujie_doctor):
    client.force_login(dazhi_doctor)
    answer = client.get(f"/api/v1/health-records/{record.record_code}/fhir/")
    assert answer.status_code == 200 and answer.json()["resourceType"] == "Bundle"
    client.force_login(minzujie_doctor)
    answer = client.get(f"/api/v1/health-records/{record.record_code}/fhir/")
    assert answer.status_code == 403 and answer.json()["code"] == "out_of_scope"


def test_referral_direction_and_rate_against_limit(
    record, system_actor, dazhi_centre, city_hospital
):
    for day in range(1, 11):
        care.add_encounter(
            actor=system_actor,
            record=record,
            kind="outpatient",
            institution=dazhi_centre,
            started_on=dt.date(2025, 3, day),
        )
    for day in range(1, 8):
        care.request_referral(
            actor=system_actor,
            record=record,
            from_institution=dazhi_centre,
            to_institution=city_hospital,
            reason="血压控制不佳",
            diagnosis_icd10="I10",
            requested_on=dt.date(2025, 3, day),
        )
    rates = {
        r.institution.pk: r
        for r in care.referral_rates(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    }
    centre = rates[dazhi_centre.pk]
    assert (centre.referred, centre.visits, centre.rate, centre.limit) == (7, 10, 70.0, 60)
    assert centre.over_limit
    assert city_hospital.referral_limit == 10
    with pytest.raises(ValidationError) as exc:
        care.request_referral(
            actor=system_actor,
            record=record,
            from_institution=dazhi_centre,
            to_institution=dazhi_centre,
            reason="x",
            diagnosis_icd10="I10",
        )
    assert exc.value.error_dict["to_institution"][0].code == "same_level"


def test_referral_accepted_only_by_receiving_institution(
    record, dazhi_doctor, dazhi_centre, city_hospital
):
    actor = actor_for(dazhi_doctor)
    with acting_in(scope_for(dazhi_doctor)):
        referral = care.request_referral(
            actor=actor,
            record=record,
            from_institution=dazhi_centre,
            to_institution=city_hospital,
            reason="胸痛待查",
            diagnosis_icd10="R07.4",
        )
        assert referral.direction == "up"
        with pytest.raises(PermissionDenied):
            care.respond_referral(actor=actor, referral=referral, action="accept")
    referral.refresh_from_db()
    assert referral.status == "requested"


def test_indicators_on_a_known_dataset(record, system_actor, dazhi_centre):
    # Three residents of 保成社区: the record's owner (born 1952, hypertensive) and two more;
    # only the first has a record.
    factories.person(community=BAOCHENG, name="王强", birth=dt.date(1990, 1, 1))
    factories.person(community=BAOCHENG, name="赵敏", birth=dt.date(1950, 1, 1), male=False)
    records.add_condition(
        actor=system_actor, record=record, icd10="I10", name="高血压", onset_on=dt.date(2020, 1, 1)
    )
    for month, (s, d) in zip(
        (1, 4, 7, 10), ((150, 95), (142, 90), (138, 86), (132, 84)), strict=True
    ):
        records.record_check(
            actor=system_actor,
            record=record,
            kind=CheckKind.FOLLOW_UP,
            checked_on=dt.date(2025, month, 5),
            systolic=s,
            diastolic=d,
        )
    records.record_check(
        actor=system_actor,
        record=record,
        kind=CheckKind.ELDERLY,
        checked_on=dt.date(2025, 6, 1),
        systolic=136,
        diastolic=80,
    )
    # The register's people were created "today"; the library counts them from their creation.
    Person.unscoped.update(created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    yearly = engine.values_many(indicators.CODES, division=BAOCHENG, period=Year(2025))
    f = {code[7:]: v.as_dict() for code, by_unit in yearly.items() for v in [by_unit[BAOCHENG]]}
    assert f["filing_rate"] == {"numerator": 1, "denominator": 3, "value": 33.3}
    assert f["electronic_rate"] == {"numerator": 1, "denominator": 3, "value": 33.3}
    assert f["complete_rate"]["value"] == 0  # history never asked
    assert f["usage_rate"]["value"] == 100
    assert f["htn_standard_rate"]["value"] == 100
    assert f["bp_control_rate"] == {"numerator": 1, "denominator": 1, "value": 100}  # 132/84
    assert f["t2d_standard_rate"] == {"numerator": 0, "denominator": 0, "value": None}
    assert f["elderly_rate"] == {"numerator": 1, "denominator": 2, "value": 50}
    assert engine.values_many(indicators.CODES, division=BAOCHENG, period="2025-12") == yearly
    # June 2026's twelve months hold the July and October follow-ups only: not 规范管理.
    june = engine.values("health.htn_standard_rate", division=BAOCHENG, period="2026-06")
    assert june[BAOCHENG].as_dict() == {"numerator": 0, "denominator": 1, "value": 0}
    assert HealthCheck.objects.count() == 5
    assert InstitutionLevel.CITY == "city"


def test_fhir_api_import_refuses_invalid_and_accepts_a_valid_bundle(
    client, record, dazhi_doctor, dazhi_centre, system_actor
):
    _fill(record, system_actor, dazhi_centre)
    good = fhir.build_bundle(record)
    twin = factories.person(
        community=BAOCHENG, name="李秀兰", birth=record.person.birth_date, male=False
    )
    fresh = records.open_record(actor=system_actor, person=twin, institution=dazhi_centre)
    client.force_login(dazhi_doctor)
    url = f"/api/v1/health-records/{fresh.record_code}/fhir/"
    bad = client.post(
        url,
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": {"resourceType": "Patient", "birthDate": "1952-13-40"}}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_fhir"
    assert "birthDate" in bad.json()["detail"]
    ok = client.post(url, good, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["imported"]["Encounter"] == 1
    assert fresh.conditions.count() == 1
