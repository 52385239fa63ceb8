"""A death reaches bad reviews and complaints: a matter awaiting the deceased's call-back is
closed as 未表态; one still being worked runs on and closes at its answer, with no message to
the deceased; `bianmin consistency` lists a call-back a missing handler would leave waiting."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core import lifecycle
from bianmin.evaluation.lifeevents import CHECK, close_for_death
from bianmin.evaluation.models import Complaint, RectificationTask
from bianmin.evaluation.services import (
    answer_complaint,
    answer_task,
    handle_complaint,
    rectify_task,
    verify_complaint,
    verify_task,
)
from bianmin.notifications.models import OutboxMessage
from bianmin.registry.services import lifeevents
from tests.cases.conftest import as_actor
from tests.evaluation import test_complaints, test_rectification
from tests.evaluation.test_complaints import about_case
from tests.evaluation.test_rectification import through_answer
from tests.exchange.helpers import ACTOR

pytestmark = pytest.mark.django_db
DIED = dt.date(2026, 9, 30)
# The fixtures of the loop's own tests, shared.
hotline = test_complaints.hotline
manager = test_rectification.manager
task = test_rectification.task


@pytest.fixture
def complaint(task, closed_case, hotline, resident) -> Complaint:
    """王秀英's own complaint about her case, identified by her ID number."""
    return about_case(
        hotline, closed_case, complainant_id_number=resident.id_number_for_test
    ).complaint


def steps(obj) -> list[tuple[str, str]]:
    return [(s.action, s.notes) for s in obj.steps.order_by("at", "id")]


def test_matters_awaiting_the_call_back_are_closed_without_feedback(
    task,
    complaint,
    manager,
    resident,
):
    actor = as_actor(manager)
    through_answer(task, actor)
    verify_complaint(actor=actor, complaint=complaint, founded=False, notes="调阅录像，不属实")
    answer_complaint(actor=actor, complaint=complaint, answer="经核实，窗口办理符合规定")

    result = lifeevents.record_death(actor=ACTOR, person=resident, died_on=DIED, source="公安推送")

    for obj in (RectificationTask.objects.get(pk=task.pk), Complaint.objects.get(pk=complaint.pk)):
        assert (obj.status, obj.satisfied) == ("closed", None)
        assert obj.closed_on == DIED
        assert steps(obj)[-1] == ("no_reply", "申请人（投诉人）已死亡，不再回访。")
    summary = {o["handler"]: o["summary"] for o in result.outcomes}["evaluation.feedback"]
    assert str(task) in summary and complaint.complaint_no in summary
    assert lifecycle.run_checks(only=[CHECK]) == []


def test_a_matter_still_worked_runs_on_and_closes_at_its_answer(
    task,
    complaint,
    manager,
    resident,
):
    actor = as_actor(manager)
    verify_task(actor=actor, task=task, founded=True, notes="调取窗口录像，情况属实")
    lifeevents.record_death(actor=ACTOR, person=resident, died_on=DIED, source="公安推送")
    assert RectificationTask.objects.get(pk=task.pk).status == "act"

    rectify_task(actor=actor, task=task, notes="窗口人员重新学习一次性告知制度")
    answer_task(actor=actor, task=task, answer="已对窗口人员批评教育")
    verify_complaint(actor=actor, complaint=complaint, founded=True, notes="属实")
    handle_complaint(actor=actor, complaint=complaint, notes="批评教育")
    answer_complaint(actor=actor, complaint=complaint, answer="已处理")

    for obj in (RectificationTask.objects.get(pk=task.pk), Complaint.objects.get(pk=complaint.pk)):
        assert obj.status == "closed" and obj.answer
        assert [a for a, _notes in steps(obj)][-2:] == ["answered", "no_reply"]
    # Nobody is sent an answer for the deceased.
    assert not OutboxMessage.objects.filter(dedupe_key__contains=":answer:").exists()


def test_the_check_lists_a_call_back_a_missing_handler_left_waiting(
    task,
    complaint,
    manager,
    resident,
):
    actor = as_actor(manager)
    through_answer(task, actor)
    lifecycle.unregister_handler(lifecycle.DEATH, "evaluation.feedback")
    try:
        lifeevents.record_death(actor=ACTOR, person=resident, died_on=DIED, source="公安推送")
    finally:
        lifecycle.register_handler(
            lifecycle.DEATH, "evaluation.feedback", close_for_death, order=60
        )
    found = lifecycle.run_checks(only=[CHECK])
    assert [(c.model, c.pk, c.person_id) for c in found] == [
        ("evaluation.RectificationTask", task.pk, resident.pk)
    ]
