"""Real concurrency on PostgreSQL: one case rated from several devices at once, a complaint
submitted twice at the same instant, two clerks verifying one bad review. (SQLite serialises
every write transaction, so there is no race to show there.)"""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings

from bianmin.core.audit import Actor
from bianmin.evaluation.models import Complaint, LoopStep, Rating, RectificationTask
from bianmin.evaluation.services import rate_case, submit_complaint, verify_task
from bianmin.notifications.models import OutboxMessage
from tests import factories
from tests.cases import test_concurrency as case_races
from tests.cases.conftest import as_actor
from tests.conftest import DAZHI_STREET

_ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not _ON_POSTGRES, reason="needs PostgreSQL: concurrent sessions"),
    pytest.mark.django_db(transaction=True),
]
_reference_data = case_races._reference_data  # the flushed database gets its divisions back
sharing_arranged = case_races.sharing_arranged  # and then the city's grants
race, kinds = case_races.race, case_races.kinds
SMS = Actor(name="sms gateway")


def test_a_case_rated_from_eight_places_at_once_is_rated_once(closed_case, resident):
    results = race(
        8,
        lambda i: rate_case(
            actor=SMS,
            case=closed_case.case_no,
            level=1 + i % 5,
            channel="sms",
            phone=resident.phone,
            comment="并发评价测试",
        ),
    )
    assert kinds(results) == Counter({"ok": 1, "already_rated": 7})
    rating = Rating.unscoped.get()
    # A bad winner has exactly one task and one acknowledgement.
    assert RectificationTask.unscoped.count() == (1 if rating.is_bad else 0)
    assert OutboxMessage.objects.filter(related_id=closed_case.case_no).count() >= 1


def test_a_complaint_sent_twice_at_once_is_one_complaint(clock, closed_case, dazhi_clerk):
    actor = as_actor(dazhi_clerk)
    results = race(
        6,
        lambda _i: submit_complaint(
            actor=actor,
            channel="window",
            complainant_name="王秀英",
            complainant_phone="13912345678",
            content="窗口让我回家补复印件",
            subject_kind="case",
            case_no=closed_case.case_no,
        ),
    )
    assert kinds(results) == Counter({"ok": 6})
    assert sorted(r.created for r in results) == [False] * 5 + [True]
    assert {r.complaint.pk for r in results} == {Complaint.unscoped.get().pk}
    assert OutboxMessage.objects.filter(dedupe_key__endswith=":received").count() == 1


def test_two_clerks_verify_one_task_at_once(closed_case, resident):
    rating = rate_case(
        actor=SMS,
        case=closed_case,
        level=2,
        channel="sms",
        phone=resident.phone,
        comment="等候太久",
    )
    clerks = [
        as_actor(factories.staff(f"dazhi_manager{i}", role="clerk", division=DAZHI_STREET))
        for i in range(2)
    ]
    task = RectificationTask.unscoped.get(pk=rating.task.pk)
    results = race(
        2,
        lambda i: verify_task(actor=clerks[i], task=task, founded=True, notes=f"核实{i}"),
    )
    assert kinds(results) == Counter({"ok": 1, "invalid_transition": 1})
    assert LoopStep.objects.filter(task=task, action="verified").count() == 1
