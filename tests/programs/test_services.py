from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bianmin.core.models import AuditEntry
from bianmin.programs.models import Enrolment, Visit
from bianmin.programs.services import (
    active_enrolment,
    define_program,
    enrol,
    exit_enrolment,
    record_visit,
)
from bianmin.registry.access import actor_for
from bianmin.registry.models import Person
from bianmin.registry.services.people import set_life_status
from tests import factories
from tests.conftest import BAOCHENG, WANNIAN
from tests.programs.conftest import SYSTEM

pytestmark = pytest.mark.django_db

GOOD = {"sbp": 132, "dbp": 84, "control": "good", "weight": "68.5", "smoker": False}


def code_of(exc: pytest.ExceptionInfo) -> str:
    e = exc.value
    if hasattr(e, "error_dict"):
        return next(iter(e.error_dict.values()))[0].code
    return e.error_list[0].code


def test_enrol_sets_area_unit_and_first_due(enrolment, hypertensive):
    assert enrolment.area_code == hypertensive.area_code
    assert enrolment.next_due_on == enrolment.enrolled_on + dt.timedelta(days=30)
    assert AuditEntry.objects.filter(object_type="programs.enrolment").exists()


def test_enrol_refuses_the_ineligible_with_the_reason(bp_program):
    young = factories.person(community=BAOCHENG, name="王小明", birth=dt.date(2001, 1, 1))
    with pytest.raises(ValidationError) as exc:
        enrol(actor=SYSTEM, program=bp_program, person=young)
    assert code_of(exc) == "not_eligible"
    assert "年龄35岁及以上" in str(exc.value) and "高血压" in str(exc.value)
    assert not Enrolment.objects.exists()


def test_duplicate_active_enrolment_refused(enrolment, bp_program, hypertensive):
    with pytest.raises(ValidationError) as exc:
        enrol(actor=SYSTEM, program=bp_program, person=hypertensive)
    assert code_of(exc) == "already_enrolled"
    assert Enrolment.objects.count() == 1


def test_visit_advances_next_due_by_the_interval(enrolment):
    day = timezone.localdate() - dt.timedelta(days=10)
    visit = record_visit(
        actor=SYSTEM,
        enrolment=enrolment,
        visited_on=day,
        kind="clinic",
        data=GOOD,
        outcome="continue",
    )
    enrolment.refresh_from_db()
    assert visit.data == {
        "sbp": 132,
        "dbp": 84,
        "control": "good",
        "weight": "68.5",
        "smoker": False,
    }
    assert enrolment.last_visit_on == day and enrolment.visit_count == 1
    from bianmin.programs.schedule import add_months

    assert enrolment.next_due_on == add_months(day, 3)


def test_phone_call_is_recorded_but_does_not_count(enrolment):
    before = enrolment.next_due_on
    record_visit(
        actor=SYSTEM,
        enrolment=enrolment,
        visited_on=timezone.localdate(),
        kind="phone",
        data=GOOD,
        outcome="continue",
    )
    enrolment.refresh_from_db()
    assert enrolment.visit_count == 1 and enrolment.next_due_on == before


def test_visitor_set_next_date_wins(enrolment):
    today = timezone.localdate()
    record_visit(
        actor=SYSTEM,
        enrolment=enrolment,
        visited_on=today,
        kind="clinic",
        data={**GOOD, "control": "poor"},
        outcome="continue",
        next_due_on=today + dt.timedelta(days=14),
    )
    enrolment.refresh_from_db()
    assert enrolment.next_due_on == today + dt.timedelta(days=14)


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({**GOOD, "sbp": 20}, "sbp", "out_of_range"),
        ({**GOOD, "sbp": 400}, "sbp", "out_of_range"),
        ({**GOOD, "sbp": "abc"}, "sbp", "invalid_int"),
        ({**GOOD, "sbp": 12.5}, "sbp", "invalid_int"),
        ({**GOOD, "weight": "heavy"}, "weight", "invalid_number"),
        ({**GOOD, "control": "maybe"}, "control", "invalid_choice"),
        ({**GOOD, "smoker": "perhaps"}, "smoker", "invalid_bool"),
        ({**GOOD, "lab_on": "2020-13-01"}, "lab_on", "invalid_date"),
        ({**GOOD, "advice": "长" * 51}, "advice", "too_long"),
        ({**GOOD, "pulse": 70}, "pulse", "unknown_field"),
        ({"dbp": 80, "control": "good"}, "sbp", "required"),
        ({**GOOD, "sbp": 80, "dbp": 90}, "sbp", "inconsistent"),
    ],
)
def test_impossible_answers_refused_nothing_changed(enrolment, data, field, code):
    before = Enrolment.objects.values().get(pk=enrolment.pk)
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=SYSTEM,
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="clinic",
            data=data,
            outcome="continue",
        )
    assert field in exc.value.error_dict
    assert exc.value.error_dict[field][0].code == code
    assert not Visit.objects.exists()
    assert Enrolment.objects.values().get(pk=enrolment.pk) == before


def test_out_of_range_message_names_the_value(enrolment):
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=SYSTEM,
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="clinic",
            data={**GOOD, "sbp": 400},
            outcome="continue",
        )
    assert "收缩压应在60至260mmHg之间，400不可能" in exc.value.message_dict["sbp"][0]


def test_future_visit_refused(enrolment):
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=SYSTEM,
            enrolment=enrolment,
            visited_on=timezone.localdate() + dt.timedelta(days=1),
            kind="clinic",
            data=GOOD,
            outcome="continue",
        )
    assert code_of(exc) == "future_date"
    assert not Visit.objects.exists()


def test_visit_before_enrolment_refused(enrolment):
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=SYSTEM,
            enrolment=enrolment,
            visited_on=enrolment.enrolled_on - dt.timedelta(days=1),
            kind="clinic",
            data=GOOD,
            outcome="continue",
        )
    assert code_of(exc) == "before_enrolment"


def test_visit_after_death_refused(enrolment, hypertensive):
    died = timezone.localdate() - dt.timedelta(days=5)
    # The register says deceased although no life event reached the program (a bulk
    # correction): the visit check holds on its own.
    Person.unscoped.filter(pk=hypertensive.pk).update(life_status="deceased", status_date=died)
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=SYSTEM,
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="home",
            data=GOOD,
            outcome="continue",
        )
    assert code_of(exc) == "after_death"
    assert not Visit.objects.exists()
    # A visit made before the death may still be recorded late.
    record_visit(
        actor=SYSTEM,
        enrolment=enrolment,
        visited_on=died - dt.timedelta(days=1),
        kind="home",
        data=GOOD,
        outcome="continue",
    )


def test_death_registered_ends_follow_ups(enrolment, hypertensive):
    set_life_status(
        actor=SYSTEM,
        person=hypertensive,
        status="deceased",
        date=timezone.localdate() - dt.timedelta(days=1),
        source="公安推送",
    )
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=SYSTEM,
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="home",
            data=GOOD,
            outcome="continue",
        )
    assert code_of(exc) == "not_enrolled"


def test_visit_for_someone_not_enrolled_refused(bp_program, hypertensive):
    with pytest.raises(ValidationError) as exc:
        active_enrolment(program=bp_program, person=hypertensive)
    assert code_of(exc) == "not_enrolled"


def test_visit_on_exited_enrolment_refused(enrolment):
    exit_enrolment(actor=SYSTEM, enrolment=enrolment, reason="refused")
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=SYSTEM,
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="clinic",
            data=GOOD,
            outcome="continue",
        )
    assert code_of(exc) == "not_enrolled"
    assert not Visit.objects.exists()


def test_unknown_outcome_and_kind_refused(enrolment):
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=SYSTEM,
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="telepathy",
            data=GOOD,
            outcome="continue",
        )
    assert code_of(exc) == "invalid_choice"
    with pytest.raises(ValidationError) as exc:
        record_visit(
            actor=SYSTEM,
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="clinic",
            data=GOOD,
            outcome="cured",
        )
    assert code_of(exc) == "invalid_choice"


def test_exit_needs_reason_and_clears_due(enrolment):
    with pytest.raises(ValidationError) as exc:
        exit_enrolment(actor=SYSTEM, enrolment=enrolment, reason="other")
    assert code_of(exc) == "note_required"
    with pytest.raises(ValidationError) as exc:
        exit_enrolment(actor=SYSTEM, enrolment=enrolment, reason="bored")
    assert code_of(exc) == "invalid_choice"
    done = exit_enrolment(actor=SYSTEM, enrolment=enrolment, reason="other", note="转上级医院管理")
    assert done.status == "exited" and done.next_due_on is None and done.exit_note
    with pytest.raises(ValidationError) as exc:
        exit_enrolment(actor=SYSTEM, enrolment=enrolment, reason="refused")
    assert code_of(exc) == "already_exited"


def test_worker_of_other_area_cannot_touch(enrolment, wannian_worker):
    from bianmin.core.errors import OutOfScope
    from bianmin.core.scope import acting_in
    from bianmin.registry.access import scope_for

    with acting_in(scope_for(wannian_worker)), pytest.raises(OutOfScope):
        record_visit(
            actor=actor_for(wannian_worker),
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="clinic",
            data=GOOD,
            outcome="continue",
        )
    assert not Visit.objects.exists()


def test_role_without_grant_refused(enrolment):
    clerk = factories.staff("clerk1", role="clerk", division=BAOCHENG)
    with pytest.raises(PermissionDenied):
        record_visit(
            actor=actor_for(clerk),
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="clinic",
            data=GOOD,
            outcome="continue",
        )
    assert not Visit.objects.exists()


def test_worker_of_the_area_records(enrolment, baocheng_worker):
    from bianmin.core.scope import acting_in
    from bianmin.registry.access import scope_for

    with acting_in(scope_for(baocheng_worker)):
        visit = record_visit(
            actor=actor_for(baocheng_worker),
            enrolment=enrolment,
            visited_on=timezone.localdate(),
            kind="home",
            data=GOOD,
            outcome="continue",
        )
    assert visit.performer.user_id == baocheng_worker.pk


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"form_schema": [{"key": "x", "label": "X", "type": "colour"}]}, "invalid_form_schema"),
        ({"form_schema": [{"key": "x", "label": "X", "type": "choice"}]}, "invalid_form_schema"),
        (
            {"form_schema": [{"key": "x", "label": "X", "type": "int", "min": 5, "max": 1}]},
            "invalid_form_schema",
        ),
        ({"eligibility": {"min_age": 80, "max_age": 70}}, "invalid_age"),
        ({"eligibility": {"tags_all": ["no-such-tag"]}}, "unknown_tag"),
        ({"eligibility": {"conditions": [{"name": "no-such"}]}}, "unknown_condition"),
        ({"eligibility": {"shoe_size": 42}}, "unknown_rule_key"),
        ({"schedule_kind": "plan", "plan_offsets": [3, 1]}, "invalid_schedule"),
        ({"interval_months": 0}, "invalid_schedule"),
    ],
)
def test_define_program_refuses_broken_definitions(kwargs, code):
    base = {
        "code": "broken",
        "name": "坏项目",
        "sector": "other",
        "schedule_kind": "every_n_months",
        "interval_months": 3,
    }
    with pytest.raises(ValidationError) as exc:
        define_program(actor=SYSTEM, **{**base, **kwargs})
    assert code_of(exc) == code


def test_registered_condition_is_used_by_rules(bp_program):
    from django.db.models import Q

    from bianmin.programs import rules

    rules.register_condition("name_is", lambda name: Q(name=name), label="姓名符合")
    program = define_program(
        actor=SYSTEM,
        code="cond",
        name="条件测试",
        sector="other",
        eligibility={"conditions": [{"name": "name_is", "args": {"name": "赵六"}}]},
        schedule_kind="yearly",
    )
    zhao = factories.person(community=WANNIAN, name="赵六")
    qian = factories.person(community=WANNIAN, name="钱七")
    enrol(actor=SYSTEM, program=program, person=zhao)
    with pytest.raises(ValidationError) as exc:
        enrol(actor=SYSTEM, program=program, person=qian)
    assert "姓名符合" in str(exc.value)
