from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.core import lifecycle
from bianmin.core.errors import OutOfScope
from bianmin.core.lifecycle import LifeEvent
from bianmin.core.scope import acting_in
from bianmin.programs import queries
from bianmin.programs.models import Enrolment, Visit
from bianmin.programs.services import auto_enrol_sweep, enrol, record_visit
from bianmin.registry.access import scope_for
from bianmin.registry.models import Person
from bianmin.registry.services import lifeevents
from bianmin.registry.services.people import set_life_status, tag_person
from tests import factories
from tests.conftest import BAOCHENG, TAINING, WANNIAN
from tests.programs.conftest import SYSTEM, years_ago

pytestmark = pytest.mark.django_db

GOOD = {"sbp": 132, "dbp": 84, "control": "good"}


def lonely_elder(community: str, name: str, age: int = 78) -> Person:
    p = factories.person(community=community, name=name, birth=years_ago(age, days=3))
    tag_person(actor=SYSTEM, person=p, tag_code="left-behind-elder")
    return p


def test_death_exits_every_follow_up_and_consistency_is_clean(enrolment, hypertensive):
    died = timezone.localdate() - dt.timedelta(days=2)
    told = lifeevents.record_death(
        actor=SYSTEM, person=hypertensive, died_on=died, source="公安推送"
    )
    assert any(o["handler"] == "programs.exit_on_death" for o in told.record.outcomes)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.exit_reason, enrolment.exited_on) == (
        "exited",
        "death",
        died,
    )
    assert enrolment.next_due_on is None
    assert lifecycle.run_checks(["programs.follow_ups"]) == []


def test_consistency_check_finds_follow_ups_of_the_dead(enrolment, hypertensive):
    # A register change that bypassed the life-event service: the check must see it, and
    # the handler, dispatched, must clear it.
    died = timezone.localdate()
    Person.unscoped.filter(pk=hypertensive.pk).update(life_status="deceased", status_date=died)
    found = lifecycle.run_checks(["programs.follow_ups"])
    assert [c.pk for c in found] == [enrolment.pk] and "死亡" in found[0].message
    lifecycle.dispatch(LifeEvent(lifecycle.DEATH, hypertensive.pk, died, "核查"), SYSTEM)
    assert lifecycle.run_checks(["programs.follow_ups"]) == []


def test_move_out_exits_with_reason(enrolment, hypertensive):
    day = timezone.localdate()
    set_life_status(
        actor=SYSTEM, person=hypertensive, status="moved_out", date=day, source="户籍迁出"
    )
    enrolment.refresh_from_db()
    assert enrolment.exit_reason == "moved_out" and enrolment.next_due_on is None
    assert lifecycle.run_checks(["programs.follow_ups"]) == []


def test_move_takes_enrolment_and_history_to_the_new_area(
    enrolment, hypertensive, wannian_worker, baocheng_worker
):
    record_visit(
        actor=SYSTEM,
        enrolment=enrolment,
        visited_on=timezone.localdate(),
        kind="home",
        data=GOOD,
        outcome="continue",
    )
    grid = factories.grid(WANNIAN, 2)
    lifeevents.record_move(
        actor=SYSTEM,
        person=hypertensive,
        moved_on=timezone.localdate(),
        source="窗口登记",
        grid=grid.code,
    )
    enrolment.refresh_from_db()
    assert enrolment.area_code == grid.code
    assert lifecycle.run_checks(["programs.follow_ups"]) == []
    with acting_in(scope_for(wannian_worker)):
        assert Visit.objects.filter(enrolment=enrolment).count() == 1
        assert [e.pk for e in queries.due_list(role="grid", on=enrolment.next_due_on)] == [
            enrolment.pk
        ]
    with acting_in(scope_for(baocheng_worker)):
        assert not Enrolment.objects.exists()


def test_area_mismatch_is_reported(enrolment, hypertensive):
    Person.unscoped.filter(pk=hypertensive.pk).update(area_code=WANNIAN)
    found = lifecycle.run_checks(["programs.follow_ups"])
    assert [c.pk for c in found] == [enrolment.pk]


def test_due_list_is_scoped_and_bucketed(bp_program, baocheng_worker, wannian_worker):
    today = timezone.localdate()
    people = {}
    for name, community in [("甲", BAOCHENG), ("乙", BAOCHENG), ("丙", WANNIAN)]:
        p = factories.person(community=community, name=name, birth=dt.date(1960, 1, 1))
        tag_person(actor=SYSTEM, person=p, tag_code="hypertension")
        people[name] = p
    overdue = enrol(
        actor=SYSTEM,
        program=bp_program,
        person=people["甲"],
        enrolled_on=today - dt.timedelta(days=40),
    )
    this_week = enrol(
        actor=SYSTEM,
        program=bp_program,
        person=people["乙"],
        enrolled_on=today - dt.timedelta(days=27),
    )
    enrol(
        actor=SYSTEM,
        program=bp_program,
        person=people["丙"],
        enrolled_on=today - dt.timedelta(days=40),
    )
    with acting_in(scope_for(baocheng_worker)):
        assert [e.pk for e in queries.due_list(bucket="all", role="grid")] == [
            overdue.pk,
            this_week.pk,
        ]
        assert [e.pk for e in queries.due_list(bucket="overdue", role="grid")] == [overdue.pk]
        assert [e.pk for e in queries.due_list(bucket="week", role="grid")] == [this_week.pk]
        assert list(queries.due_list(bucket="today", role="grid")) == []
        assert queries.due_counts(role="grid") == {"overdue": 1, "today": 0, "week": 1, "all": 2}
        # A role the program is not for sees nothing of it.
        assert list(queries.due_list(role="clerk")) == []
    with acting_in(scope_for(wannian_worker)):
        assert [e.person_id for e in queries.due_list(role="grid")] == [people["丙"].pk]


def test_restricted_program_only_within_its_department(bp_program, enrolment, baocheng_worker):
    bp_program.restricted_to_id = "WJ"
    bp_program.save()
    Enrolment.unscoped.update(restricted_to_id="WJ")
    doctor = factories.staff("doc", role="doctor", division=BAOCHENG, department="WJ")
    with acting_in(scope_for(baocheng_worker)):
        assert not Enrolment.objects.exists()
    with acting_in(scope_for(doctor)):
        assert Enrolment.objects.count() == 1


def test_auto_sweep_enrols_flags_and_never_reenrols(elderly_program):
    a = lonely_elder(BAOCHENG, "孙大娘")
    b = lonely_elder(TAINING, "周大爷")
    young = lonely_elder(BAOCHENG, "吴阿姨", age=62)
    assert auto_enrol_sweep() == {"enrolled": 2, "flagged": 0, "cleared": 0}
    assert set(Enrolment.objects.values_list("person_id", flat=True)) == {a.pk, b.pk}
    assert not Enrolment.objects.filter(person=young).exists()
    assert Enrolment.objects.get(person=a).enrolment_mode == "auto"
    # Tag removed: flagged for a worker, not exited.
    from bianmin.registry.services.people import untag_person

    untag_person(actor=SYSTEM, person=b, tag_code="left-behind-elder")
    assert auto_enrol_sweep()["flagged"] == 1
    eb = Enrolment.objects.get(person=b)
    assert eb.status == "active" and eb.ineligible_since == timezone.localdate()
    tag_person(actor=SYSTEM, person=b, tag_code="left-behind-elder")
    assert auto_enrol_sweep() == {"enrolled": 0, "flagged": 0, "cleared": 1}
    # Exited by decision: the sweep does not enrol again.
    from bianmin.programs.services import exit_enrolment

    exit_enrolment(actor=SYSTEM, enrolment=Enrolment.objects.get(person=a), reason="refused")
    assert auto_enrol_sweep()["enrolled"] == 0


def test_coverage_counts_and_drill_down(elderly_program, baocheng_worker, wannian_worker):
    for i in range(3):
        lonely_elder(BAOCHENG, f"保成{i}")
    lonely_elder(TAINING, "泰宁老人")
    auto_enrol_sweep(on=timezone.localdate() - dt.timedelta(days=100))
    first = Enrolment.objects.filter(area_code__startswith=BAOCHENG).order_by("id").first()
    Enrolment.unscoped.filter(pk=first.pk).update(
        enrolled_on=timezone.localdate() - dt.timedelta(days=100)
    )
    for back in (95, 65, 35, 5):
        record_visit(
            actor=SYSTEM,
            enrolment=first,
            visited_on=timezone.localdate() - dt.timedelta(days=back),
            kind="home",
            data={"safe": True},
        )
    start = timezone.localdate() - dt.timedelta(days=98)
    street = "420102002"
    report = queries.coverage(program=elderly_program, area_code=street, start=start)
    rows = {r.area_code: r for r in report.rows}
    assert rows[BAOCHENG].eligible == 3 and rows[BAOCHENG].enrolled == 3
    assert rows[BAOCHENG].expected == 3 and rows[BAOCHENG].on_schedule == 1
    assert rows[BAOCHENG].schedule_rate == 33.3 and rows[BAOCHENG].enrolment_rate == 100.0
    assert rows[TAINING].eligible == 1 and rows[BAOCHENG].drillable
    assert report.total.eligible == 4
    assert first.pk not in report.behind and len(report.behind) == 3
    with acting_in(scope_for(wannian_worker)), pytest.raises(OutOfScope):
        queries.coverage(program=elderly_program, area_code=street)
    with acting_in(scope_for(baocheng_worker)):
        own = queries.coverage(program=elderly_program, start=start)
        assert own.total.enrolled == 3 and own.area_code == BAOCHENG


def test_window_edit_of_the_grid_moves_the_follow_ups(enrolment, hypertensive):
    from bianmin.registry.services.people import update_person

    grid = factories.grid(BAOCHENG, 3)
    update_person(actor=SYSTEM, person=hypertensive, grid=grid.code)
    enrolment.refresh_from_db()
    assert enrolment.area_code == grid.code
    assert lifecycle.run_checks(["programs.follow_ups"]) == []
