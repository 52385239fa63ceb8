from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bianmin.core.models import AuditEntry
from bianmin.core.scope import acting_in
from bianmin.health.models import CheckKind, HealthCheck, HealthRecord, RecordStatus
from bianmin.health.services import records
from bianmin.health.services.common import OutOfArea
from bianmin.registry.access import actor_for, scope_for
from bianmin.registry.services.people import set_life_status
from tests import factories
from tests.conftest import BAOCHENG, TAINING

pytestmark = pytest.mark.django_db


def test_record_code_is_village_code_plus_serial(record, system_actor, dazhi_centre):
    assert re.fullmatch(r"[0-9]{17}", record.record_code)
    assert record.record_code == f"{BAOCHENG}00001"
    second = records.open_record(
        actor=system_actor, person=factories.person(community=BAOCHENG, name="王强")
    )
    other_village = records.open_record(
        actor=system_actor, person=factories.person(community=TAINING, name="赵敏")
    )
    assert second.record_code == f"{BAOCHENG}00002"
    assert other_village.record_code == f"{TAINING}00001"


def test_one_record_per_resident(record, resident, system_actor):
    with pytest.raises(ValidationError) as exc:
        records.open_record(actor=system_actor, person=resident)
    assert exc.value.code == "record_exists"
    assert HealthRecord.objects.count() == 1


def test_completeness_rule(record, system_actor):
    assert record.complete is False  # no history asked, no check-up yet
    records.mark_history_reviewed(actor=system_actor, record=record)
    assert record.complete is False
    records.record_check(
        actor=system_actor,
        record=record,
        kind=CheckKind.ANNUAL,
        checked_on=dt.date(2024, 5, 6),
        systolic=128,
        diastolic=82,
    )
    record.refresh_from_db()
    assert record.complete is True


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"systolic": 20, "diastolic": 10}, "implausible_value"),
        ({"systolic": 400, "diastolic": 90}, "implausible_value"),
        ({"systolic": 120}, "bp_pair"),
        ({"systolic": 90, "diastolic": 120}, "bp_order"),
        ({"fasting_glucose": "abc"}, "not_a_number"),
    ],
)
def test_impossible_vitals_are_refused(record, system_actor, values, code):
    with pytest.raises(ValidationError) as exc:
        records.record_check(
            actor=system_actor,
            record=record,
            kind=CheckKind.ANNUAL,
            checked_on=dt.date(2025, 1, 6),
            **values,
        )
    assert code in str(exc.value.error_dict) or exc.value.error_dict
    assert [e.code for v in exc.value.error_dict.values() for e in v] == [code]
    assert not HealthCheck.objects.exists()


def test_future_and_after_death_dates_are_refused(record, system_actor):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        records.record_check(
            actor=system_actor,
            record=record,
            kind=CheckKind.ANNUAL,
            checked_on=tomorrow,
            systolic=120,
            diastolic=80,
        )
    assert exc.value.error_dict["checked_on"][0].code == "future_date"
    set_life_status(
        actor=system_actor,
        person=record.person,
        status="deceased",
        date=dt.date(2025, 3, 1),
        source="公安推送",
    )
    record.person.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        records.record_check(
            actor=system_actor,
            record=record,
            kind=CheckKind.ANNUAL,
            checked_on=dt.date(2025, 3, 2),
            systolic=120,
            diastolic=80,
        )
    assert exc.value.error_dict["checked_on"][0].code == "after_death"
    assert not HealthCheck.objects.exists()


def test_invalid_icd10_refused(record, system_actor):
    with pytest.raises(ValidationError) as exc:
        records.add_condition(
            actor=system_actor,
            record=record,
            icd10="高血压",
            name="高血压",
            onset_on=dt.date(2020, 1, 1),
        )
    assert exc.value.error_dict["icd10"][0].code == "invalid_icd10"
    condition = records.add_condition(
        actor=system_actor,
        record=record,
        icd10="i10",
        name="原发性高血压",
        onset_on=dt.date(2020, 1, 1),
    )
    assert (condition.icd10, condition.category) == ("I10", "hypertension")


def test_area_doctor_reads_with_audit(record, dazhi_doctor):
    before = AuditEntry.objects.filter(action="read", object_type="health_record").count()
    with acting_in(scope_for(dazhi_doctor)):
        seen = records.access_record(actor=actor_for(dazhi_doctor), record_code=record.record_code)
    assert seen.pk == record.pk
    entries = AuditEntry.objects.filter(action="read", object_type="health_record")
    assert entries.count() == before + 1
    assert entries.last().object_id == record.record_code


def test_other_area_and_other_staff_are_refused(record, minzujie_doctor, baocheng_worker):
    for user in (minzujie_doctor, baocheng_worker):  # other area; same area but not health
        with acting_in(scope_for(user)), pytest.raises(OutOfArea):
            records.access_record(actor=actor_for(user), record_code=record.record_code)
    with acting_in(scope_for(minzujie_doctor)), pytest.raises(OutOfArea):
        records.record_check(
            actor=actor_for(minzujie_doctor),
            record=record,
            kind=CheckKind.ANNUAL,
            checked_on=dt.date(2025, 1, 6),
            systolic=120,
            diastolic=80,
        )
    assert not HealthCheck.objects.exists()
    assert not AuditEntry.objects.filter(action="read", object_type="health_record").exists()


def test_death_closes_the_record_and_consistency_is_clean(record, system_actor):
    from bianmin.core import lifecycle
    from bianmin.registry.models import Person

    # A death written around the life-event service is what the consistency check catches.
    Person.unscoped.filter(pk=record.person_id).update(
        life_status="deceased", status_date=dt.date(2025, 3, 1)
    )
    assert [c.model for c in lifecycle.run_checks(["health.records"])] == ["health.HealthRecord"]
    Person.unscoped.filter(pk=record.person_id).update(life_status="alive", status_date=None)
    set_life_status(
        actor=system_actor,
        person=record.person,
        status="deceased",
        date=dt.date(2025, 3, 1),
        source="公安推送",
    )
    record.refresh_from_db()
    assert (record.status, record.close_reason, record.closed_on) == (
        RecordStatus.CLOSED,
        "death",
        dt.date(2025, 3, 1),
    )
    assert lifecycle.run_checks(["health.records"]) == []
    with pytest.raises(ValidationError) as exc:
        records.add_condition(
            actor=system_actor,
            record=record,
            icd10="I10",
            name="高血压",
            onset_on=dt.date(2025, 1, 1),
        )
    assert exc.value.code == "record_closed"
