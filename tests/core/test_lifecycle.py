"""The life-event hook: dispatch, the consistency checks and `bianmin consistency`, and a
property-style run — any sequence of deaths, moves, move-outs, new cases and household
changes leaves every register consistent."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command

from bianmin.cases.models import OPEN_STATES, Case
from bianmin.cases.services import intake
from bianmin.cases.services.precheck import Applicant
from bianmin.core import lifecycle
from bianmin.core.audit import Actor
from bianmin.exchange.models import HeadVacancy
from bianmin.registry.access import actor_for
from bianmin.registry.models import LifeStatus, Person
from bianmin.registry.services import lifeevents
from bianmin.registry.services.people import add_member
from tests import factories
from tests.cases import builders
from tests.cases.conftest import Clock
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING
from tests.exchange.helpers import ACTOR, family

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 29)


def _consistency(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("consistency", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as e:
        return int(e.code), out.getvalue()
    return 0, out.getvalue()


def test_dispatch_runs_handlers_in_order_and_reports_what_they_did():
    person = family().child
    calls = []

    def first(event, actor):
        calls.append(("first", event.person_id, actor.name))
        return "did one thing"

    def quiet(event, actor):
        calls.append(("quiet", event.person_id, actor.name))
        return None

    lifecycle.register_handler(lifecycle.MOVE_OUT, "zz.quiet", quiet, order=2)
    lifecycle.register_handler(lifecycle.MOVE_OUT, "aa.first", first, order=1)
    lifecycle.register_handler(lifecycle.MOVE_OUT, "aa.first", quiet, order=0)  # kept first
    try:
        event = lifecycle.LifeEvent(lifecycle.MOVE_OUT, person.pk, TODAY, "公安推送")
        done = lifecycle.dispatch(event, Actor(name="t"))
    finally:
        lifecycle.unregister_handler(lifecycle.MOVE_OUT, "zz.quiet")
        lifecycle.unregister_handler(lifecycle.MOVE_OUT, "aa.first")
    assert done[0] == ("aa.first", "did one thing")
    assert "zz.quiet" not in [name for name, _summary in done]  # None: nothing to report
    assert calls == [("first", person.pk, "t"), ("quiet", person.pk, "t")]
    assert "aa.first" not in lifecycle.handlers(lifecycle.MOVE_OUT)
    with pytest.raises(ValueError):
        lifecycle.register_handler("wedding", "x", first)


def test_registered_handlers_and_checks_of_registry_and_cases():
    assert "registry.household" in lifecycle.handlers(lifecycle.DEATH)
    assert "cases.open_cases" in lifecycle.handlers(lifecycle.DEATH)
    assert "registry.household" in lifecycle.handlers(lifecycle.MOVE)
    assert {
        "registry.household_head",
        "registry.residence_area",
        "cases.open_case_of_deceased",
    } <= set(lifecycle.checks())


def test_consistency_command_exit_codes_and_formats():
    fam = family()
    assert _consistency() == (0, "")
    # A deliberately inconsistent row: a head marked dead behind the services' back.
    Person.unscoped.filter(pk=fam.head.pk).update(life_status=LifeStatus.DECEASED)
    code, text = _consistency()
    assert code == 1
    assert f"registry.Household#{fam.household.pk} person={fam.head.pk}" in text
    code, out = _consistency("--format", "json", "--only", "registry.household_head")
    rows = json.loads(out)
    assert code == 1 and [(r["model"], r["pk"]) for r in rows] == [
        ("registry.Household", fam.household.pk)
    ]
    assert _consistency("--only", "registry.residence_area") == (0, "")


def test_consistency_refuses_an_unknown_check():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("consistency", "--only", "nope.nothing", stdout=io.StringIO())


def test_any_sequence_of_life_events_leaves_the_registers_consistent(monkeypatch):
    Clock(monkeypatch).set(TODAY)
    clerk = actor_for(factories.staff("seq_clerk", role="clerk", division=DAZHI_STREET))
    item = builders.item("MZ-GLJT-SEQ")
    grids = [factories.grid(BAOCHENG, 1), factories.grid(BAOCHENG, 2), factories.grid(TAINING, 1)]
    families = [family(), family(), family(TAINING)]
    rng = random.Random(20261122)
    actions = ["death", "move", "move_out", "case", "case", "member", "appoint"]
    for step in range(45):
        living = list(Person.unscoped.filter(life_status=LifeStatus.ALIVE).order_by("pk"))
        if not living:
            break
        action = rng.choice(actions)
        person = rng.choice(living)
        day = TODAY - dt.timedelta(days=rng.randint(0, 20))
        if action == "death":
            lifeevents.record_death(actor=ACTOR, person=person, died_on=day, source="公安推送")
            if rng.random() < 0.3:  # told again by another department
                lifeevents.record_death(actor=ACTOR, person=person, died_on=day, source="卫健推送")
        elif action == "move":
            grid = rng.choice(grids)
            lifeevents.record_move(
                actor=ACTOR, person=person, moved_on=day, source="公安推送", grid=grid.code
            )
        elif action == "move_out":
            lifeevents.record_move_out(actor=ACTOR, person=person, moved_on=day, source="公安推送")
        elif action == "case" and person.age_on(TODAY) >= 18:
            intake.take_in(
                actor=clerk,
                item=item,
                applicant=Applicant(person=person),
                provided=builders.COMPLETE,
                channel="window",
            )
        elif action == "member":
            fam = rng.choice(families)
            newcomer = factories.person(community=BAOCHENG, name=f"新成员{step}")
            add_member(actor=ACTOR, household=fam.household, person=newcomer, relationship="99")
        elif action == "appoint":
            vacancy = HeadVacancy.objects.filter(filled_by__isnull=True).first()
            if vacancy is not None:
                candidates = Person.unscoped.filter(
                    household=vacancy.household, life_status=LifeStatus.ALIVE
                )
                if candidates.exists():
                    lifeevents.appoint_head(
                        actor=ACTOR, household=vacancy.household, person=candidates.first()
                    )
        found = lifecycle.run_checks()
        assert found == [], (step, action, found)
    assert Person.unscoped.exclude(life_status=LifeStatus.ALIVE).exists()
    assert not Case.unscoped.filter(
        status__in=OPEN_STATES, applicant_person__life_status=LifeStatus.DECEASED
    ).exists()
    assert _consistency()[0] == 0
