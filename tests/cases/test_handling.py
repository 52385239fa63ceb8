"""Handling: parallel reviews, decisions, returns that stop the clock, AB岗, delivery, visits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bianmin.cases import queries
from bianmin.cases.models import CaseStatus, Review, ReviewStatus
from bianmin.cases.services import absences, acceptance, handling, intake, visits
from bianmin.cases.services.pledges import PledgeInput
from bianmin.core.scope import acting_in
from bianmin.notifications.models import OutboxMessage
from bianmin.registry.access import scope_for
from tests.cases import builders
from tests.cases.conftest import as_actor

pytestmark = pytest.mark.django_db


def accepted(clerk, applicant, item, provided=builders.COMPLETE, **kw):
    return intake.take_in(
        actor=as_actor(clerk),
        item=item,
        applicant=applicant,
        provided=provided,
        channel="window",
        **kw,
    ).case


def review_of(case, department: str) -> Review:
    return case.reviews.get(department_id=department)


class TestParallelReviews:
    def test_decided_only_after_every_parallel_review(
        self, clock, dazhi_clerk, applicant, disability_item, cl_reviewer, mz_reviewer
    ):
        case = accepted(dazhi_clerk, applicant, disability_item)
        assert sorted(case.reviews.values_list("department_id", "status")) == [
            ("CL", "open"),
            ("MZ", "open"),
        ]
        handling.act_on_review(
            actor=as_actor(cl_reviewer), review=review_of(case, "CL"), decision="approve"
        )
        with pytest.raises(ValidationError) as caught:
            handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        assert caught.value.code == "reviews_pending"
        handling.act_on_review(
            actor=as_actor(mz_reviewer),
            review=review_of(case, "MZ"),
            decision="approve",
            opinion="经核实，符合补贴条件",
        )
        handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        case.refresh_from_db()
        assert case.status == CaseStatus.DECIDED and case.decision == "approved"
        with pytest.raises(ValidationError) as caught:
            handling.decide(actor=as_actor(mz_reviewer), case=case, approve=False, reasons="再议")
        assert caught.value.code == "already_decided"
        actions = list(case.events.values_list("action", flat=True))
        assert actions == ["accepted", "review_approved", "review_approved", "decided"]

    def test_groups_open_one_after_another(
        self, clock, dazhi_clerk, applicant, cl_reviewer, mz_reviewer
    ):
        item = builders.item("MZ-CJBT-002", reviews=(("CL", 1), ("MZ", 2)))
        case = accepted(dazhi_clerk, applicant, item)
        assert review_of(case, "MZ").status == ReviewStatus.WAITING
        with pytest.raises(ValidationError) as caught:
            handling.act_on_review(
                actor=as_actor(mz_reviewer), review=review_of(case, "MZ"), decision="approve"
            )
        assert caught.value.code == "invalid_transition"
        handling.act_on_review(
            actor=as_actor(cl_reviewer), review=review_of(case, "CL"), decision="approve"
        )
        assert review_of(case, "MZ").status == ReviewStatus.OPEN

    def test_rejection_skips_later_groups_and_only_denial_follows(
        self, clock, dazhi_clerk, applicant, cl_reviewer, mz_reviewer
    ):
        item = builders.item("MZ-CJBT-003", reviews=(("CL", 1), ("MZ", 2)))
        case = accepted(dazhi_clerk, applicant, item)
        with pytest.raises(ValidationError):  # a rejection needs its reasons
            handling.act_on_review(
                actor=as_actor(cl_reviewer), review=review_of(case, "CL"), decision="reject"
            )
        handling.act_on_review(
            actor=as_actor(cl_reviewer),
            review=review_of(case, "CL"),
            decision="reject",
            opinion="残疾等级为四级，不属于重度残疾",
        )
        assert review_of(case, "MZ").status == ReviewStatus.SKIPPED
        with pytest.raises(ValidationError) as caught:
            handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        assert caught.value.code == "review_rejected"
        handling.decide(
            actor=as_actor(mz_reviewer), case=case, approve=False, reasons="不符合重度残疾条件"
        )
        body = OutboxMessage.objects.filter(related_id=case.case_no).latest("id").body
        assert "经审查不予批准，理由：不符合重度残疾条件" in body

    def test_reviewer_of_another_department_cannot_act(
        self, clock, dazhi_clerk, applicant, disability_item, rs_reviewer
    ):
        case = accepted(dazhi_clerk, applicant, disability_item)
        with pytest.raises(PermissionDenied):
            handling.act_on_review(
                actor=as_actor(rs_reviewer), review=review_of(case, "CL"), decision="approve"
            )

    def test_only_the_deciding_department_decides(
        self, clock, dazhi_clerk, applicant, disability_item, cl_reviewer, mz_reviewer
    ):
        case = accepted(dazhi_clerk, applicant, disability_item)
        for dept, user in (("CL", cl_reviewer), ("MZ", mz_reviewer)):
            handling.act_on_review(
                actor=as_actor(user), review=review_of(case, dept), decision="approve"
            )
        with pytest.raises(PermissionDenied):
            handling.decide(actor=as_actor(cl_reviewer), case=case, approve=True)


class TestReturnStopsTheClock:
    def test_due_date_moves_by_the_paused_working_days(
        self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer
    ):
        case = accepted(dazhi_clerk, applicant, elderly_item)
        assert case.due_date == dt.date(2026, 10, 12)
        clock.set(dt.date(2026, 9, 30))
        handling.act_on_review(
            actor=as_actor(mz_reviewer),
            review=review_of(case, "MZ"),
            decision="return",
            opinion="银行卡复印件模糊，请重新提供",
            missing=["bank_card"],
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.RETURNED and case.paused_since == dt.date(2026, 9, 30)
        body = OutboxMessage.objects.filter(related_id=case.case_no).latest("id").body
        assert "需补正以下材料：本人银行卡（存折）" in body
        # The applicant comes back on 10-9: working days in (9-30, 10-9] = 10-8, 10-9 → 2.
        clock.set(dt.date(2026, 10, 9))
        acceptance.resubmit(actor=as_actor(dazhi_clerk), case=case, provided=["bank_card"])
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_REVIEW and case.paused_workdays == 2
        # 9-29 + 7: 9-30, 10-8, 10-9, 10-10 (调休), 10-12, 10-13, 10-14.
        assert case.due_date == dt.date(2026, 10, 14)
        assert review_of(case, "MZ").status == ReviewStatus.OPEN
        event = case.events.get(action="resubmitted")
        assert event.data["due_before"] == "2026-10-12" and event.data["due_after"] == "2026-10-14"
        assert case.visit_count == 2


class TestABPost:
    def test_backup_sees_and_acts_on_the_absent_reviewers_work(
        self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer, mz_backup, supervisor
    ):
        case = accepted(dazhi_clerk, applicant, elderly_item)
        review = review_of(case, "MZ")
        handling.assign_review(
            actor=as_actor(mz_reviewer), review=review, assignee=mz_reviewer.staff
        )
        a_post, b_post = mz_reviewer.staff, mz_backup.staff
        with acting_in(scope_for(mz_backup)):
            assert list(queries.my_reviews(b_post, on=clock.today)) == []
        with pytest.raises(PermissionDenied):
            handling.act_on_review(actor=as_actor(mz_backup), review=review, decision="approve")
        # A goes on leave today (recorded by the supervisor)
        absences.mark_absent(
            actor=as_actor(supervisor),
            staff=a_post,
            start=clock.today,
            end=dt.date(2026, 10, 9),
            reason="年休假",
        )
        with acting_in(scope_for(mz_backup)):
            assert [r.pk for r in queries.my_reviews(b_post, on=clock.today)] == [review.pk]
        # …but only while A is away
        with acting_in(scope_for(mz_backup)):
            assert list(queries.my_reviews(b_post, on=dt.date(2026, 10, 12))) == []
        handling.act_on_review(actor=as_actor(mz_backup), review=review, decision="approve")
        review.refresh_from_db()
        assert review.status == ReviewStatus.APPROVED and review.acted_by == b_post

    def test_colleague_who_is_not_the_backup_cannot_act(
        self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer, mz_backup
    ):
        from tests import factories
        from tests.conftest import JIANGAN

        colleague = factories.staff("mz_other", role="reviewer", division=JIANGAN, department="MZ")
        case = accepted(dazhi_clerk, applicant, elderly_item)
        review = review_of(case, "MZ")
        handling.assign_review(
            actor=as_actor(mz_reviewer), review=review, assignee=mz_reviewer.staff
        )
        absences.mark_absent(
            actor=as_actor(mz_reviewer),
            staff=mz_reviewer.staff,
            start=clock.today,
            end=clock.today,
            reason="培训",
        )
        with pytest.raises(PermissionDenied):
            handling.act_on_review(actor=as_actor(colleague), review=review, decision="approve")

    def test_unassigned_review_is_in_every_department_reviewers_work(
        self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer, rs_reviewer
    ):
        case = accepted(dazhi_clerk, applicant, elderly_item)
        with acting_in(scope_for(mz_reviewer)):
            assert [r.case_id for r in queries.my_reviews(mz_reviewer.staff, on=clock.today)] == [
                case.pk
            ]
        with acting_in(scope_for(rs_reviewer)):
            assert list(queries.my_reviews(rs_reviewer.staff, on=clock.today)) == []


class TestDeliveryAndVisits:
    def test_window_pick_up_is_a_second_visit_beyond_the_limit(
        self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer
    ):
        case = accepted(dazhi_clerk, applicant, elderly_item)
        handling.act_on_review(
            actor=as_actor(mz_reviewer), review=review_of(case, "MZ"), decision="approve"
        )
        handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        assert list(queries.cases_over_max_visits()) == []
        handling.deliver(actor=as_actor(dazhi_clerk), case=case, method="window")
        case.refresh_from_db()
        assert case.visit_count == 2 and case.status == CaseStatus.DELIVERED
        assert [c.case_no for c in queries.cases_over_max_visits()] == [case.case_no]
        handling.close(actor=as_actor(dazhi_clerk), case=case)
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED and case.closed_on == clock.today
        assert case.events.latest("id").data == {"on_time": True}

    def test_explicit_visit_is_recorded_with_place_and_purpose(
        self, clock, baocheng_agent, dazhi_clerk, applicant, elderly_item
    ):
        from bianmin.cases.services.intake import AgentConsent

        case = intake.take_in(
            actor=as_actor(baocheng_agent),
            item=elderly_item,
            applicant=applicant,
            provided=builders.COMPLETE,
            channel="agent",
            agent_consent=AgentConsent("written", dt.datetime(2026, 9, 29, 1, tzinfo=dt.UTC)),
        ).case
        visit = visits.record_visit(actor=as_actor(dazhi_clerk), case=case, purpose="咨询办理进度")
        assert visit.org_unit == dazhi_clerk.staff.org_unit and visit.purpose == "咨询办理进度"
        case.refresh_from_db()
        assert case.visit_count == 1 and list(queries.cases_over_max_visits()) == []

    def test_post_delivery_and_electronic(
        self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer
    ):
        case = accepted(dazhi_clerk, applicant, elderly_item)
        handling.act_on_review(
            actor=as_actor(mz_reviewer), review=review_of(case, "MZ"), decision="approve"
        )
        handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        with pytest.raises(ValidationError) as caught:
            handling.deliver(actor=as_actor(dazhi_clerk), case=case, method="pigeon")
        assert caught.value.error_dict["method"][0].code == "invalid_delivery_method"
        handling.deliver(actor=as_actor(dazhi_clerk), case=case, method="post")
        case.refresh_from_db()
        assert case.visit_count == 1
        body = OutboxMessage.objects.filter(related_id=case.case_no).latest("id").body
        assert body.endswith("的办理结果已邮寄送出。")


class TestTransitions:
    def test_invalid_transition_is_refused_with_its_code(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        case = intake.take_in(
            actor=as_actor(dazhi_clerk),
            item=elderly_item,
            applicant=applicant,
            provided=[],
            channel="window",
        ).case
        with pytest.raises(ValidationError) as caught:
            handling.close(actor=as_actor(dazhi_clerk), case=case)
        assert caught.value.code == "invalid_transition"
        assert "当前状态为“补正中”，不能办结" in caught.value.messages[0]

    def test_terminate_from_any_open_state(self, clock, dazhi_clerk, applicant, elderly_item):
        case = accepted(dazhi_clerk, applicant, elderly_item)
        handling.terminate(actor=as_actor(dazhi_clerk), case=case, reason="申请人撤回申请")
        case.refresh_from_db()
        assert case.status == CaseStatus.TERMINATED
        with pytest.raises(ValidationError) as caught:
            handling.terminate(actor=as_actor(dazhi_clerk), case=case, reason="重复")
        assert caught.value.code == "invalid_transition"

    def test_approval_waits_for_pledged_materials(
        self, clock, dazhi_clerk, applicant, elderly_item, mz_reviewer
    ):
        case = accepted(
            dazhi_clerk,
            applicant,
            elderly_item,
            provided=["hukou"],
            pledge=PledgeInput(("photo", "bank_card"), dt.date(2026, 10, 9)),
        )
        handling.act_on_review(
            actor=as_actor(mz_reviewer), review=review_of(case, "MZ"), decision="approve"
        )
        with pytest.raises(ValidationError) as caught:
            handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        assert caught.value.code == "pledge_open"
        acceptance.fulfil_pledge(
            actor=as_actor(dazhi_clerk), case=case, provided=["photo", "bank_card"]
        )
        handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
