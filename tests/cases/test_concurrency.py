"""Real concurrency on PostgreSQL: clerks taking applications in at the same instant, retries
racing their first attempt, two reviewers on one review. (SQLite serialises every write
transaction, so there is no race to show there.)"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from bianmin.cases.models import Case, CaseEvent, IdempotencyRecord
from bianmin.cases.services import handling, idempotency, intake
from bianmin.notifications.models import OutboxMessage
from tests.cases import builders
from tests.cases.conftest import as_actor
from tests.conftest import arrange_city_sharing
from tests.racing import race

_ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not _ON_POSTGRES, reason="needs PostgreSQL: concurrent sessions"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """A transactional test starts from a flushed database (tests/conftest.py)."""


@pytest.fixture
def sharing_arranged(reference_data) -> int:
    """The city's grants, once the flushed database has its reference data back."""
    return arrange_city_sharing()


def kinds(results: list[Any]) -> Counter:
    return Counter(
        getattr(r, "code", None) or type(r).__name__ if isinstance(r, Exception) else "ok"
        for r in results
    )


def test_sixteen_clerks_at_once_get_sixteen_numbers(clock, dazhi_clerk, applicant, elderly_item):
    actor = as_actor(dazhi_clerk)

    def take(_i: int) -> str:
        return intake.take_in(
            actor=actor,
            item=elderly_item,
            applicant=applicant,
            provided=builders.COMPLETE,
            channel="window",
        ).case.case_no

    numbers = race(16, take)
    assert all(isinstance(n, str) for n in numbers), numbers
    assert len(set(numbers)) == 16 and all(n.startswith("BM20260929") for n in numbers)
    assert Case.objects.count() == 16
    assert OutboxMessage.objects.filter(related_type="case").count() == 16


def test_a_retry_racing_its_first_attempt_creates_one_case(
    clock, dazhi_clerk, applicant, elderly_item
):
    actor = as_actor(dazhi_clerk)
    digest = idempotency.fingerprint(method="POST", path="/api/v1/cases/", body={"n": 1})

    def post(_i: int) -> idempotency.Answer:
        def perform():
            case = intake.take_in(
                actor=actor,
                item=elderly_item,
                applicant=applicant,
                provided=builders.COMPLETE,
                channel="window",
            ).case
            return 201, {"case_no": case.case_no}, case

        return idempotency.run_once(
            user_id=dazhi_clerk.pk, key="retry-1", digest=digest, perform=perform
        )

    answers = race(6, post)
    assert all(isinstance(a, idempotency.Answer) for a in answers), answers
    assert len({a.body["case_no"] for a in answers}) == 1
    assert sum(not a.replayed for a in answers) == 1
    assert Case.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


def test_two_reviewers_on_one_review_one_wins(
    clock, dazhi_clerk, applicant, elderly_item, mz_reviewer, mz_backup
):
    case = intake.take_in(
        actor=as_actor(dazhi_clerk),
        item=elderly_item,
        applicant=applicant,
        provided=builders.COMPLETE,
        channel="window",
    ).case
    review = case.reviews.get()
    users = [mz_reviewer, mz_backup]

    def act(i: int):
        return handling.act_on_review(actor=as_actor(users[i]), review=review, decision="approve")

    results = race(2, act)
    assert kinds(results) == Counter({"ok": 1, "invalid_transition": 1}), results
    assert CaseEvent.objects.filter(case=case, action="review_approved").count() == 1


def test_two_decisions_at_once_one_is_already_decided(
    clock, dazhi_clerk, applicant, elderly_item, mz_reviewer, mz_backup
):
    case = intake.take_in(
        actor=as_actor(dazhi_clerk),
        item=elderly_item,
        applicant=applicant,
        provided=builders.COMPLETE,
        channel="window",
    ).case
    handling.act_on_review(
        actor=as_actor(mz_reviewer), review=case.reviews.get(), decision="approve"
    )
    users = [mz_reviewer, mz_backup]

    def decide(i: int):
        return handling.decide(
            actor=as_actor(users[i]), case=case, approve=i == 0, reasons="" if i == 0 else "不符合"
        )

    results = race(2, decide)
    assert not any(isinstance(r, PermissionDenied) for r in results)
    assert kinds(results) == Counter({"ok": 1, "already_decided": 1}), results
    assert isinstance(next(r for r in results if isinstance(r, Exception)), ValidationError)
