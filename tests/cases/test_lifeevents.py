"""A death ends the applicant's open cases through the case services (terminated with the
reason 申请人死亡, or closed when the result was already delivered)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from bianmin.cases.models import OPEN_STATES, Case, CaseEvent, CaseStatus
from bianmin.cases.services import handling
from bianmin.core import lifecycle
from bianmin.core.audit import Actor
from bianmin.registry.models import LifeStatus, Person
from bianmin.registry.services import lifeevents
from tests.cases.conftest import as_actor
from tests.cases.test_handling import accepted

pytestmark = pytest.mark.django_db

PUSH = Actor(name="公安推送（ga-test）")


def test_death_terminates_open_cases_with_the_reason(clock, dazhi_clerk, applicant, elderly_item):
    case = accepted(dazhi_clerk, applicant, elderly_item)
    assert case.status in OPEN_STATES
    told = lifeevents.record_death(
        actor=PUSH, person=applicant.person, died_on=dt.date(2026, 9, 27), source="公安推送"
    )
    case = Case.unscoped.get(pk=case.pk)
    assert case.status == CaseStatus.TERMINATED
    event = CaseEvent.objects.filter(case=case).order_by("-at", "-id").first()
    assert event.reason == "申请人死亡" and event.actor_name == PUSH.name
    summary = dict((o["handler"], o["summary"]) for o in told.record.outcomes)
    assert case.case_no in summary["cases.open_cases"]
    assert lifecycle.run_checks(only=["cases.open_case_of_deceased"]) == []


def test_death_closes_a_delivered_case(clock, dazhi_clerk, mz_reviewer, applicant, elderly_item):
    case = accepted(dazhi_clerk, applicant, elderly_item)
    Case.unscoped.filter(pk=case.pk).update(status=CaseStatus.DELIVERED)
    lifeevents.record_death(
        actor=PUSH, person=applicant.person, died_on=dt.date(2026, 9, 28), source="公安推送"
    )
    assert Case.unscoped.get(pk=case.pk).status == CaseStatus.CLOSED


def test_closed_cases_are_left_alone_and_staff_rules_still_hold(
    clock, dazhi_clerk, applicant, elderly_item
):
    case = accepted(dazhi_clerk, applicant, elderly_item)
    handling.terminate(actor=as_actor(dazhi_clerk), case=case, reason="申请人撤回申请")
    told = lifeevents.record_death(
        actor=PUSH, person=applicant.person, died_on=dt.date(2026, 9, 28), source="公安推送"
    )
    assert "cases.open_cases" not in [o["handler"] for o in told.record.outcomes]


def test_without_by_system_a_non_staff_actor_still_cannot_terminate(
    clock, dazhi_clerk, applicant, elderly_item
):
    case = accepted(dazhi_clerk, applicant, elderly_item)
    with pytest.raises(PermissionDenied):
        handling.terminate(actor=PUSH, case=case, reason="申请人死亡")


def test_check_lists_an_open_case_of_a_deceased_applicant(
    clock, dazhi_clerk, applicant, elderly_item
):
    case = accepted(dazhi_clerk, applicant, elderly_item)
    # A death written around the life-event service (as an old import would): contradiction.
    Person.unscoped.filter(pk=applicant.person.pk).update(life_status=LifeStatus.DECEASED)
    found = lifecycle.run_checks(only=["cases.open_case_of_deceased"])
    assert [(c.model, c.pk, c.person_id) for c in found] == [
        ("cases.Case", case.pk, applicant.person.pk)
    ]
    assert case.case_no in found[0].message
