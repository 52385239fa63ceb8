from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bianmin.core.models import AuditEntry
from bianmin.health.models import HealthCheck
from bianmin.health.programs import ensure_programs, record_follow_up
from bianmin.health.services import records
from bianmin.programs.models import Program
from bianmin.programs.services import enrol

pytestmark = pytest.mark.django_db


def test_follow_up_files_visit_and_measurements(record, system_actor, dazhi_doctor):
    ensure_programs(actor=system_actor)
    program = Program.objects.get(code="health-hypertension")
    with pytest.raises(ValidationError) as exc:  # diagnosis first: not enrolled yet
        record_follow_up(
            actor=system_actor,
            record=record,
            program=program,
            visited_on=dt.date(2025, 2, 1),
            kind="clinic",
            data={"sbp": 150, "dbp": 95, "control": "poor"},
            outcome="continue",
        )
    assert exc.value.code == "not_enrolled"
    records.add_condition(
        actor=system_actor, record=record, icd10="I10", name="高血压", onset_on=dt.date(2020, 1, 1)
    )
    enrol(
        actor=system_actor, program=program, person=record.person, enrolled_on=dt.date(2024, 6, 1)
    )
    with pytest.raises(ValidationError):
        record_follow_up(
            actor=system_actor,
            record=record,
            program=program,
            visited_on=dt.date(2025, 2, 1),
            kind="clinic",
            data={"sbp": 400, "dbp": 95, "control": "poor"},
            outcome="continue",
        )
    assert not HealthCheck.objects.exists()
    check = record_follow_up(
        actor=system_actor,
        record=record,
        program=program,
        visited_on=dt.date(2025, 2, 1),
        kind="home",
        data={"sbp": 150, "dbp": 95, "control": "poor"},
        outcome="continue",
    )
    assert (check.kind, check.systolic, check.face_to_face) == ("follow_up", 150, True)
    assert check.program_visit_id is not None


def test_doctor_pages_render(client, record, dazhi_doctor):
    client.force_login(dazhi_doctor)
    for url in (
        "/health/",
        "/health/records/",
        f"/health/records/{record.record_code}/",
        "/health/referrals/",
        "/health/contracts/",
        "/health/indicators/",
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
    assert record.record_code in client.get("/health/records/").content.decode()
    assert AuditEntry.objects.filter(action="read", object_id=record.record_code).exists()


def test_indicators_refuse_other_area(client, dazhi_doctor):
    client.force_login(dazhi_doctor)
    assert client.get("/health/indicators/?area=420103").status_code == 403
