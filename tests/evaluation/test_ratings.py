"""好差评: a rating only after closure, only by the applicant, once; per staff member; a bad
rating opens a rectification task due in working days over National Day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bianmin.cases.models import Case
from bianmin.core.audit import Actor
from bianmin.core.models import AuditEntry
from bianmin.core.scope import DENY_ALL, acting_in
from bianmin.evaluation.models import Rating, RectificationTask, StaffRating
from bianmin.evaluation.services import StaffScore, rate_case, window_staff
from bianmin.notifications.models import OutboxMessage
from tests import factories
from tests.cases.conftest import as_actor
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db


def at_window(clerk, case, level, *, id_number, comment="", **kw) -> Rating:
    """The applicant presses a key on the window's evaluator device after the ID card read."""
    return rate_case(
        actor=as_actor(clerk),
        case=case,
        level=level,
        channel="window_device",
        comment=comment,
        id_number=id_number,
        **kw,
    )


def code_of(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return (
        caught.value.code
        if not hasattr(caught.value, "error_dict")
        else next(e.code for errors in caught.value.error_dict.values() for e in errors)
    )


class TestWhenAndWho:
    def test_an_open_case_cannot_be_rated(self, clock, cases, dazhi_clerk, resident):
        # Given a case still in review
        case = cases.accepted(dazhi_clerk, resident)
        # When the applicant tries to rate it, then it is refused
        code = code_of(
            lambda: at_window(dazhi_clerk, case, 5, id_number=resident.id_number_for_test)
        )
        assert code == "case_not_closed"
        assert not Rating.unscoped.exists()

    def test_a_delivered_case_can_be_rated(self, clock, cases, dazhi_clerk, resident):
        case = cases.closed(dazhi_clerk, resident, close=False)
        assert case.status == "delivered"
        rating = at_window(dazhi_clerk, case, 5, id_number=resident.id_number_for_test)
        assert rating.level == 5 and rating.get_level_display() == "非常满意"
        assert rating.org_unit_id == case.org_unit_id and rating.department_id == "MZ"
        assert rating.area_code == "420102002" and rating.rated_on == dt.date(2026, 9, 29)

    def test_once_per_case(self, closed_case, dazhi_clerk, resident):
        at_window(dazhi_clerk, closed_case, 4, id_number=resident.id_number_for_test)
        again = lambda: rate_case(  # noqa: E731
            actor=Actor(name="sms gateway"),
            case=closed_case.case_no,
            level=5,
            channel="sms",
            phone=resident.phone,
        )
        assert code_of(again) == "already_rated"
        assert Rating.unscoped.get().level == 4

    def test_a_clerk_cannot_rate_without_the_applicants_id_card(
        self, closed_case, dazhi_clerk, jianghan_resident
    ):
        assert code_of(lambda: at_window(dazhi_clerk, closed_case, 5, id_number="")) == (
            "not_applicant"
        )
        # Someone else's card at the device does not rate this case either.
        other = jianghan_resident.id_number_for_test
        assert code_of(lambda: at_window(dazhi_clerk, closed_case, 5, id_number=other)) == (
            "not_applicant"
        )

    def test_sms_reply_counts_only_from_the_applicants_mobile(self, closed_case, resident):
        sms = Actor(name="sms gateway")
        wrong = lambda: rate_case(  # noqa: E731
            actor=sms, case=closed_case, level=5, channel="sms", phone="13900000000"
        )
        assert code_of(wrong) == "not_applicant"
        rating = rate_case(
            actor=sms, case=closed_case, level=5, channel="sms", phone="138 1234 5678"
        )
        assert rating.channel == "sms" and rating.rater_name == "王秀英"

    def test_portal_rating_by_the_identified_applicant_only(
        self, closed_case, resident, jianghan_resident, django_user_model
    ):
        account = django_user_model.objects.create_user("wxy_portal")
        portal = Actor(user_id=account.pk, name="王秀英")

        def as_(person):
            return lambda: rate_case(
                actor=portal, case=closed_case, level=5, channel="portal", person=person
            )

        # A portal request runs with the deny-all scope of a non-staff account: ownership,
        # not scope, decides.
        with acting_in(DENY_ALL):
            assert code_of(as_(jianghan_resident)) == "not_applicant"
            assert as_(resident)().entered_by_user_id == account.pk

    def test_the_village_agent_rates_on_the_applicants_behalf_recorded(
        self, clock, cases, baocheng_agent, resident
    ):
        case = cases.closed(baocheng_agent, resident, agent=True)
        other_agent = factories.staff("other_agent", role="agent", division=BAOCHENG)
        refused = lambda: rate_case(  # noqa: E731
            actor=as_actor(other_agent), case=case, level=5, channel="window_device"
        )
        assert code_of(refused) == "not_applicant"
        rating = rate_case(actor=as_actor(baocheng_agent), case=case, level=5, channel="portal")
        assert rating.agent == baocheng_agent.staff
        assert rating.org_unit.division_id == BAOCHENG

    def test_bad_input(self, closed_case, dazhi_clerk, resident):
        number = resident.id_number_for_test
        assert code_of(lambda: at_window(dazhi_clerk, closed_case, 6, id_number=number)) == (
            "invalid_level"
        )
        bad_channel = lambda: rate_case(  # noqa: E731
            actor=as_actor(dazhi_clerk), case=closed_case, level=5, channel="fax"
        )
        assert code_of(bad_channel) == "invalid_channel"
        # 差评 needs a reason to verify.
        assert code_of(lambda: at_window(dazhi_clerk, closed_case, 1, id_number=number)) == (
            "comment_required"
        )
        unknown = lambda: rate_case(  # noqa: E731
            actor=as_actor(dazhi_clerk), case="BM000", level=5, channel="window_device"
        )
        assert code_of(unknown) == "unknown_case"


class TestStaff:
    def test_acceptor_and_deliverer_are_rated(
        self, clock, cases, dazhi_clerk, dazhi_clerk2, resident
    ):
        case = cases.closed(dazhi_clerk, resident, deliverer=dazhi_clerk2)
        served = window_staff(case)
        assert [(w.staff.display_name, w.accepted, w.delivered) for w in served] == [
            ("dazhi_clerk", True, False),
            ("dazhi_clerk2", False, True),
        ]
        rating = at_window(
            dazhi_clerk2,
            case,
            4,
            id_number=resident.id_number_for_test,
            staff_scores=[StaffScore(dazhi_clerk2.staff.pk, 5)],
        )
        assert sorted(rating.staff_ratings.values_list("staff__display_name", "level")) == [
            ("dazhi_clerk", 4),
            ("dazhi_clerk2", 5),
        ]
        assert not RectificationTask.unscoped.exists()

    def test_a_bad_level_for_one_clerk_opens_a_task(
        self, clock, cases, dazhi_clerk, dazhi_clerk2, resident
    ):
        case = cases.closed(dazhi_clerk, resident, deliverer=dazhi_clerk2)
        rating = at_window(
            dazhi_clerk,
            case,
            4,
            id_number=resident.id_number_for_test,
            comment="领取结果时等了很久，窗口人员态度冷淡",
            staff_scores=[StaffScore(dazhi_clerk2.staff.pk, 2)],
        )
        assert rating.task.status == "verify"
        assert StaffRating.unscoped.get(staff=dazhi_clerk2.staff).level == 2

    def test_only_staff_who_served_the_case(self, closed_case, dazhi_clerk, minzu_clerk, resident):
        call = lambda: at_window(  # noqa: E731
            dazhi_clerk,
            closed_case,
            5,
            id_number=resident.id_number_for_test,
            staff_scores=[StaffScore(minzu_clerk.staff.pk, 5)],
        )
        assert code_of(call) == "staff_not_on_case"


class TestBadRating:
    def test_opens_a_task_due_in_working_days_after_national_day(
        self, clock, closed_case, dazhi_clerk, resident
    ):
        # Given a bad rating on Wednesday 2026-09-30, the day before National Day
        clock.set(dt.date(2026, 9, 30))
        rating = at_window(
            dazhi_clerk,
            closed_case,
            1,
            id_number=resident.id_number_for_test,
            comment="材料明明齐全，却让我跑了两趟",
        )
        task = RectificationTask.unscoped.get(rating=rating)
        # Then: 10-01…10-07 are the holiday; working days after 09-30 are 10-08 (1),
        # 10-09 (2), Saturday 10-10 (3, 调休 working day), 10-12 (4), 10-13 (5).
        assert task.verify_due == dt.date(2026, 10, 8)  # 1 working day to call back and verify
        assert task.due_date == dt.date(2026, 10, 13)  # 5 to rectify and answer
        assert task.due_provisional is False
        assert task.status == "verify" and task.round == 1
        assert (task.org_unit_id, task.department_id, task.area_code) == (
            closed_case.org_unit_id,
            "MZ",
            "420102002",
        )
        assert task.steps.get().action == "opened"
        # The applicant is told when to expect the answer.
        message = OutboxMessage.objects.get(dedupe_key=f"rectification:{task.pk}:opened")
        assert "2026年10月13日前答复" in message.body and message.recipient_address == "13812345678"

    def test_the_rating_and_task_are_one_transaction(
        self, closed_case, dazhi_clerk, resident, monkeypatch
    ):
        from bianmin.evaluation.services import rectification

        def broken(**_kw):
            raise RuntimeError("task store down")

        monkeypatch.setattr("bianmin.evaluation.services.ratings.open_task", broken)
        assert rectification.open_task is not broken
        with pytest.raises(RuntimeError):
            at_window(
                dazhi_clerk, closed_case, 2, id_number=resident.id_number_for_test, comment="太慢"
            )
        # Nothing half-written: no rating without its task.
        assert not Rating.unscoped.exists() and not StaffRating.unscoped.exists()

    def test_audited_without_the_id_number(self, closed_case, dazhi_clerk, resident):
        at_window(
            dazhi_clerk, closed_case, 2, id_number=resident.id_number_for_test, comment="办理太慢"
        )
        entries = AuditEntry.objects.filter(object_type__in=["rating", "rectification"])
        assert sorted(entries.values_list("object_type", "action")) == [
            ("rating", "create"),
            ("rectification", "create"),
        ]
        assert not any(
            resident.id_number_for_test in str(e.changes) + e.object_label for e in entries
        )
        assert Case.unscoped.get(pk=closed_case.pk).status == "closed"
