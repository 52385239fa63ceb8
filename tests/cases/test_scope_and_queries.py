"""Who sees which case, supervision counts, and notifications per transition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from bianmin.cases import queries
from bianmin.cases.models import Case
from bianmin.cases.services import acceptance, deadlines, handling, intake
from bianmin.cases.services.common import access_case
from bianmin.cases.services.pledges import PledgeInput
from bianmin.core.errors import OutOfScope
from bianmin.core.scope import acting_in
from bianmin.indicators import engine
from bianmin.indicators.library import Period
from bianmin.notifications.models import OutboxMessage
from bianmin.registry.access import scope_for
from tests.cases import builders
from tests.cases.conftest import as_actor

pytestmark = pytest.mark.django_db
SEPTEMBER = Period.parse("2026-09")


def take(clerk, applicant, item, provided=builders.COMPLETE, **kw) -> Case:
    return intake.take_in(
        actor=as_actor(clerk),
        item=item,
        applicant=applicant,
        provided=provided,
        channel="window",
        **kw,
    ).case


@pytest.fixture
def two_streets(clock, dazhi_clerk, minzu_clerk, applicant, elderly_item):
    """One case at 大智街道 (江岸) for a 大智 resident, one at 民族街街道 (江汉) for a 江汉
    resident: neither street reaches the other's case through centre or applicant."""
    from bianmin.cases.services.precheck import Applicant
    from tests import factories
    from tests.conftest import WANNIAN

    jianghan = factories.person(community=WANNIAN, name="刘芳", birth=dt.date(1941, 5, 5))
    ours = take(dazhi_clerk, applicant, elderly_item)
    theirs = take(minzu_clerk, Applicant(person=jianghan), elderly_item)
    return ours, theirs


class TestScope:
    def test_a_street_clerk_sees_only_their_own_cases(self, two_streets, dazhi_clerk, minzu_clerk):
        ours, theirs = two_streets
        with acting_in(scope_for(dazhi_clerk)):
            assert [c.case_no for c in queries.filter_cases()] == [ours.case_no]
            rows = queries.counts_by("department", period=SEPTEMBER)
            assert [r["running"] for r in rows] == [1]
            assert queries.supervision(period="2026-09", on=dt.date(2026, 9, 29)).by_centre == [
                {
                    "centre": ours.org_unit_id,
                    "centre_name": ours.org_unit.name,
                    "running": 1,
                    "green": 1,
                    "yellow": 0,
                    "red": 0,
                    "closed": 0,
                    "closed_on_time": 0,
                    "on_time_rate": None,
                }
            ]
            with pytest.raises(OutOfScope):
                access_case(actor=as_actor(dazhi_clerk), case_no=theirs.case_no)
            with pytest.raises(OutOfScope):
                handling.terminate(actor=as_actor(dazhi_clerk), case=theirs, reason="越权测试")
        with acting_in(scope_for(minzu_clerk)):
            assert [c.case_no for c in queries.filter_cases()] == [theirs.case_no]

    def test_the_applicants_street_sees_a_case_accepted_elsewhere(
        self, clock, dazhi_clerk, minzu_clerk, applicant, elderly_item
    ):
        # A 大智 resident applies at the 民族街 centre (通办): both streets see the case.
        case = take(minzu_clerk, applicant, elderly_item)
        for user in (dazhi_clerk, minzu_clerk):
            with acting_in(scope_for(user)):
                assert list(Case.objects.values_list("case_no", flat=True)) == [case.case_no]

    def test_department_reviewers_see_the_cases_their_department_handles(
        self,
        clock,
        dazhi_clerk,
        applicant,
        elderly_item,
        disability_item,
        mz_reviewer,
        cl_reviewer,
        rs_reviewer,
    ):
        elderly = take(dazhi_clerk, applicant, elderly_item)  # 民政 only
        disability = take(dazhi_clerk, applicant, disability_item)  # 残联 + 民政
        seen = {}
        for user in (mz_reviewer, cl_reviewer, rs_reviewer):
            with acting_in(scope_for(user)):
                seen[user.username] = set(Case.objects.values_list("case_no", flat=True))
        assert seen["mz_reviewer"] == {elderly.case_no, disability.case_no}
        assert seen["cl_reviewer"] == {disability.case_no}
        assert seen["rs_reviewer"] == set()

    def test_city_supervisor_sees_every_case(self, two_streets, supervisor):
        with acting_in(scope_for(supervisor)):
            assert Case.objects.count() == 2


class TestSupervision:
    def test_counts_on_time_rate_visits_and_pledges(
        self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer, django_assert_num_queries
    ):
        on_time = take(dazhi_clerk, applicant, elderly_item)
        late = take(dazhi_clerk, applicant, elderly_item)
        pledged = take(
            dazhi_clerk,
            applicant,
            elderly_item,
            provided=["hukou"],
            pledge=PledgeInput(("photo", "bank_card"), dt.date(2026, 10, 9)),
        )
        for case in (on_time, late):
            handling.act_on_review(
                actor=as_actor(mz_reviewer), review=case.reviews.get(), decision="approve"
            )
            handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        clock.set(dt.date(2026, 10, 12))  # the due day: on time
        handling.deliver(actor=as_actor(dazhi_clerk), case=on_time, method="window")
        handling.close(actor=as_actor(dazhi_clerk), case=on_time)
        clock.set(dt.date(2026, 10, 13))  # a day late
        deadlines.sweep_deadlines(on=dt.date(2026, 10, 13))
        handling.close(actor=as_actor(dazhi_clerk), case=late)

        # Per breakdown one grouped query and one for the names, one total, three list counts.
        with acting_in(scope_for(dazhi_clerk)), django_assert_num_queries(8):
            report = queries.supervision(period="2026-10", on=dt.date(2026, 10, 13))
        assert report.on_time == {"closed": 2, "on_time": 1, "rate": 0.5}
        # The figures are the library's: the same as the indicator for 大智街道 (all of this
        # clerk's cases are there), as the API and the ledger give it.
        library = engine.values_many(
            ["cases.on_time_rate", "cases.red_light", "cases.running"],
            division="420102002000",
            period="2026-10",
        )
        rate = library["cases.on_time_rate"]["420102002000"]
        assert (rate.numerator, rate.denominator, rate.value) == (1, 2, Decimal("50.00"))
        assert report.totals["red"] == library["cases.red_light"]["420102002000"].value == 1
        assert report.totals["running"] == library["cases.running"]["420102002000"].value
        [row] = report.by_department
        assert row["department"] == "MZ" and row["department_name"] == "民政局"
        assert (row["running"], row["red"], row["closed"], row["closed_on_time"]) == (1, 1, 2, 1)
        assert row["on_time_rate"] == 0.5
        assert report.over_max_visits == 1  # window intake + window pick-up
        assert report.pledges_overdue == 1
        with acting_in(scope_for(dazhi_clerk)):
            assert [p.case_id for p in queries.pledges_overdue(dt.date(2026, 10, 13))] == [
                pledged.pk
            ]
            assert [c.pk for c in queries.filter_cases(warning_level="red")] == [pledged.pk]

    def test_count_queries_do_not_grow_with_data(
        self,
        clock,
        dazhi_clerk,
        applicant,
        elderly_item,
        disability_item,
        django_assert_num_queries,
    ):
        for item in (elderly_item, disability_item, elderly_item, disability_item):
            take(dazhi_clerk, applicant, item)
        # One grouped query (the library's breakdown) and one for the departments' names.
        with acting_in(scope_for(dazhi_clerk)), django_assert_num_queries(2):
            rows = queries.counts_by("department", period=SEPTEMBER)
        assert [r["running"] for r in rows] == [4]
        with acting_in(scope_for(dazhi_clerk)), django_assert_num_queries(1):
            assert len(list(queries.filter_cases())) == 4

    def test_awaiting_lists(self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer):
        waiting = intake.take_in(
            actor=as_actor(dazhi_clerk),
            item=elderly_item,
            applicant=applicant,
            provided=[],
            channel="window",
        ).case
        acceptance.resubmit(actor=as_actor(dazhi_clerk), case=waiting, provided=builders.COMPLETE)
        ready = take(dazhi_clerk, applicant, elderly_item)
        handling.act_on_review(
            actor=as_actor(mz_reviewer), review=ready.reviews.get(), decision="approve"
        )
        assert [c.pk for c in queries.awaiting_precheck()] == [waiting.pk]
        assert [c.pk for c in queries.awaiting_decision()] == [ready.pk]

    def test_material_status_shows_where_each_material_stands(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        case = take(
            dazhi_clerk,
            applicant,
            elderly_item,
            provided=["hukou"],
            pledge=PledgeInput(("photo", "bank_card"), dt.date(2026, 10, 9)),
        )
        rows = {r["code"]: r["source"] for r in queries.material_status(case)}
        assert rows == {
            "id_card": "shared",
            "hukou": "submitted",
            "photo": "pledged",
            "bank_card": "pledged",
            "guardian": "conditional",
            "residence": "optional",
        }


class TestNotifications:
    def test_each_transition_queues_one_message_keyed_by_its_event(
        self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer
    ):
        case = take(dazhi_clerk, applicant, elderly_item)
        handling.act_on_review(
            actor=as_actor(mz_reviewer), review=case.reviews.get(), decision="approve"
        )
        handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        handling.deliver(actor=as_actor(dazhi_clerk), case=case, method="electronic")
        handling.close(actor=as_actor(dazhi_clerk), case=case)
        events = list(case.events.order_by("id"))
        keys = list(
            OutboxMessage.objects.filter(related_id=case.case_no)
            .order_by("id")
            .values_list("dedupe_key", flat=True)
        )
        assert keys == [f"case:{case.case_no}:{e.pk}" for e in events]
        assert [e.action for e in events] == [
            "accepted",
            "review_approved",
            "decided",
            "delivered",
            "closed",
        ]

    def test_a_rolled_back_transition_queues_nothing(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        case = take(dazhi_clerk, applicant, elderly_item)
        before = OutboxMessage.objects.count()
        with pytest.raises(RuntimeError), transaction.atomic():
            handling.terminate(actor=as_actor(dazhi_clerk), case=case, reason="申请人撤回")
            assert OutboxMessage.objects.count() == before + 1
            raise RuntimeError("the request failed after the service returned")
        assert OutboxMessage.objects.count() == before
        case.refresh_from_db()
        assert case.status == "in_review" and case.events.count() == 1

    def test_a_refused_transition_writes_nothing(self, clock, dazhi_clerk, applicant, elderly_item):
        case = take(dazhi_clerk, applicant, elderly_item)
        before = (OutboxMessage.objects.count(), case.events.count())
        with pytest.raises(ValidationError):
            handling.terminate(actor=as_actor(dazhi_clerk), case=case, reason="")
        assert (OutboxMessage.objects.count(), case.events.count()) == before
