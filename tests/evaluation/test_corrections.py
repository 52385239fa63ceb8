"""Deadlines guessed across a year the calendar does not cover yet (2027 here: chinesecalendar
stops at 2026) are put right once an administrator publishes that year's holiday notice."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core import workdays
from bianmin.core.audit import SYSTEM
from bianmin.evaluation.models import RectificationTask
from bianmin.evaluation.services import (
    answer_task,
    correct_provisional_deadlines,
    rate_case,
    verify_task,
)
from bianmin.notifications.models import OutboxMessage
from tests.cases.conftest import as_actor
from tests.evaluation.test_complaints import about_case, hotline  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def publish_2027() -> None:
    """The State Council's notice for 2027, as far as these deadlines reach: 元旦 on Friday
    1 January is a holiday."""
    workdays.set_override(actor=SYSTEM, day=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    workdays.publish_year(actor=SYSTEM, year=2027, source="国办发明电〔2026〕测试号")


@pytest.fixture
def bad_rating_in_late_december(clock, closed_case, dazhi_clerk, resident) -> RectificationTask:
    clock.set(dt.date(2026, 12, 29))  # a Tuesday
    rating = rate_case(
        actor=as_actor(dazhi_clerk),
        case=closed_case,
        level=1,
        channel="window_device",
        comment="让我跑了两趟",
        id_number=resident.id_number_for_test,
    )
    return RectificationTask.unscoped.get(rating=rating)


def test_a_rectification_deadline_is_corrected_and_the_applicant_told(
    bad_rating_in_late_december,
):
    task = bad_rating_in_late_december
    # 5 working days: 12-30, 12-31, then 2027 guessed Monday–Friday: 01-01, 01-04, 01-05.
    assert (task.verify_due, task.due_date, task.due_provisional) == (
        dt.date(2026, 12, 30),
        dt.date(2027, 1, 5),
        True,
    )
    opened = OutboxMessage.objects.get(dedupe_key=f"rectification:{task.pk}:opened")
    assert "以最终安排为准" in opened.body
    assert correct_provisional_deadlines() == 0  # 2027 not published: nothing to correct

    publish_2027()
    assert correct_provisional_deadlines() == 1
    task.refresh_from_db()
    assert (task.due_date, task.due_provisional) == (dt.date(2027, 1, 6), False)
    step = task.steps.get(action="due_corrected")
    assert "2027-01-05 → 2027-01-06" in step.notes and step.from_status == "verify"
    told = OutboxMessage.objects.get(dedupe_key=f"rectification:{task.pk}:due:2027-01-06")
    assert "校正为2027年1月6日前" in told.body and "以最终安排为准" not in told.body
    assert correct_provisional_deadlines() == 0  # once


def test_once_answered_the_deadline_stays_as_it_was(bad_rating_in_late_december, dazhi_clerk2):
    clerk = as_actor(dazhi_clerk2)  # not the clerk the rating is about
    task = verify_task(
        actor=clerk, task=bad_rating_in_late_december, founded=False, notes="调取录像核实情况"
    )
    task = answer_task(actor=clerk, task=task, answer="经核实，窗口已按规定一次性告知所需材料")
    assert task.status == "feedback"
    publish_2027()
    # The answer is out: the limit it was measured against is history, not corrected.
    assert correct_provisional_deadlines() == 0
    task.refresh_from_db()
    assert (task.due_date, task.due_provisional) == (dt.date(2027, 1, 5), True)


def test_a_complaint_deadline_is_corrected(clock, closed_case, hotline):  # noqa: F811
    clock.set(dt.date(2026, 12, 29))
    complaint = about_case(hotline, closed_case).complaint
    # 10 working days: 12-30, 12-31, guessed 01-01, 01-04 … 01-08, 01-11, 01-12.
    assert (complaint.due_date, complaint.due_provisional) == (dt.date(2027, 1, 12), True)
    publish_2027()
    assert correct_provisional_deadlines() == 1
    complaint.refresh_from_db()
    assert (complaint.due_date, complaint.due_provisional) == (dt.date(2027, 1, 13), False)
    assert complaint.steps.filter(action="due_corrected").count() == 1
