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


def test_open_record_check_and_referral_through_pages(client, dazhi_doctor, city_hospital):
    from bianmin.core.identifiers import make_citizen_id
    from bianmin.health.models import HealthRecord, Referral
    from tests import factories
    from tests.conftest import TAINING

    number = make_citizen_id("420102", dt.date(1960, 5, 4), 37)
    factories.person(community=TAINING, name="周建国", birth=dt.date(1960, 5, 4), id_number=number)
    client.force_login(dazhi_doctor)
    answer = client.post(
        "/health/records/new/",
        {"id_number": number, "electronic": "on", "blood_type": "O", "payment_type": "resident"},
    )
    record = HealthRecord.objects.get()
    assert answer.status_code == 302 and record.record_code == f"{TAINING}00001"
    assert record.institution_id == dazhi_doctor.staff.org_unit_id
    bad = client.post(
        f"/health/records/{record.record_code}/check/",
        {"kind": "annual", "checked_on": "2025-03-01", "systolic": "400", "diastolic": "90"},
    )
    assert bad.status_code == 200 and not HealthCheck.objects.exists()
    assert "超出可能范围" in bad.content.decode()
    good = client.post(
        f"/health/records/{record.record_code}/check/",
        {"kind": "annual", "checked_on": "2025-03-01", "systolic": "132", "diastolic": "84"},
    )
    assert good.status_code == 302 and HealthCheck.objects.get().systolic == 132
    sent = client.post(
        f"/health/records/{record.record_code}/referral/",
        {"to_institution": city_hospital.pk, "reason": "血压控制不佳", "diagnosis_icd10": "I10"},
    )
    assert sent.status_code == 302
    assert Referral.objects.get().direction == "up"


def test_supervisor_drills_down_from_district_to_street(client, record):
    from tests import factories
    from tests.conftest import BAOCHENG

    supervisor = factories.staff("jc_jiangan", role="supervisor", division="420102")
    client.force_login(supervisor)
    district = client.get("/health/indicators/?year=2025").content.decode()
    assert "大智街道" in district and "?area=420102002000&amp;year=2025" in district
    street = client.get("/health/indicators/?area=420102002000&year=2025").content.decode()
    assert "保成社区" in street and "?area=420102&amp;year=2025" in street  # 返回上级
    # The figures are the library's: 保成社区's filing rate this year, one record of one person.
    community = client.get(f"/health/indicators/?area={BAOCHENG}").content.decode()
    assert "100.0%" in community and "健康档案建档率" in community
    assert client.get("/health/indicators/?area=420102999999").status_code == 404
    assert client.get("/health/").status_code == 200  # no health programs: an empty list
    assert client.get(f"/health/records/{record.record_code}/").status_code == 403


def test_sign_a_contract_through_the_page(client, record, dazhi_doctor, dazhi_centre):
    from bianmin.health.models import Contract
    from bianmin.health.services import care
    from tests.conftest import BAOCHENG

    team = care.create_team(
        actor=records_actor(), institution=dazhi_centre, name="保成一队", area_code=BAOCHENG
    )
    client.force_login(dazhi_doctor)
    url = f"/health/records/{record.record_code}/contract/"
    assert client.post(url, {"team": team.pk, "signed_on": "2025-03-01"}).status_code == 302
    again = client.post(url, {"team": team.pk, "signed_on": "2025-04-01"})
    assert again.status_code == 200 and "已有履约中的签约" in again.content.decode()
    contract = Contract.objects.get()
    assert (contract.starts_on, contract.ends_on) == (dt.date(2025, 3, 1), dt.date(2026, 2, 28))


def records_actor():
    from bianmin.core.audit import Actor

    return Actor(name="pytest")
