"""The life-event hook: dispatch, the consistency checks and `bianmin consistency`, and a
property-style run — any sequence of deaths, moves, move-outs and window edits, between
ordinary work in every register (cases, households, queueing, portal, programs, health,
certificates, complaints), leaves every register consistent."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command

from bianmin.cases.models import OPEN_STATES, Case
from bianmin.core import lifecycle
from bianmin.core.audit import Actor
from bianmin.exchange.models import LifeEventRecord
from bianmin.registry.models import LifeStatus, Person
from tests.cases.conftest import Clock
from tests.core.lifecycle_city import LIFE_EVENTS, WORK, SmallCity
from tests.exchange.helpers import family

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 29)
SETUP = ("case", "record", "contract", "enrol", "book", "account", "certificate", "complaint")
REACHED = {
    "registry.household",
    "cases.open_cases",
    "queueing.bookings",
    "portal.account",
    "programs.exit_on_death",
    "programs.follow_move",
    "health.records",
    "certificates",
    "evaluation.feedback",
}


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
        "queueing.bookings_of_deceased",
        "portal.account_of_deceased",
        "evaluation.feedback_of_deceased",
        "health.records",
        "programs.follow_ups",
        "certificates.valid_of_deceased",
    } <= set(lifecycle.checks())
    assert {"queueing.bookings", "portal.account", "evaluation.feedback"} <= set(
        lifecycle.handlers(lifecycle.DEATH)
    )


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


@pytest.mark.parametrize("seed", [20261122, 7])
def test_any_sequence_of_life_events_leaves_the_registers_consistent(monkeypatch, seed):
    """Random deaths (some told twice), moves, move-outs, the window's edits and corrections,
    between ordinary work in every register a life event reaches; every check after each
    step. A handler that forgot something shows here as the step that broke it."""
    Clock(monkeypatch).set(TODAY)
    rng = random.Random(seed)
    city = SmallCity(TODAY, rng)
    for person in city.living():  # every register has rows before the first event
        for work in SETUP:
            city.step(work, person)
    assert lifecycle.run_checks() == []
    done = []
    for step in range(70):
        living = city.living()
        if not living:
            break
        action = rng.choice(LIFE_EVENTS if rng.random() < 0.4 else WORK)
        city.step(action, rng.choice(living))
        done.append(action)
        found = lifecycle.run_checks()
        assert found == [], (step, action, found)
    # The draw reached every register: each handler did something at least once.
    did = {o["handler"] for r in LifeEventRecord.objects.all() for o in r.outcomes}
    assert did >= REACHED, (REACHED - did, done)
    assert not Case.unscoped.filter(
        status__in=OPEN_STATES, applicant_person__life_status=LifeStatus.DECEASED
    ).exists()
    assert _consistency()[0] == 0
