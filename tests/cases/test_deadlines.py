"""限时办结: special procedures, extensions, and the warning sweep — on the real 2026 calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from bianmin.cases.models import CaseEvent, ExtensionStatus, WarningLevel
from bianmin.cases.services import deadlines, handling, intake
from bianmin.notifications.models import OutboxMessage
from tests.cases import builders
from tests.cases.conftest import as_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(clock, dazhi_clerk, applicant, elderly_item):
    """高龄津贴, 5 working days, accepted Tuesday 2026-09-29 → due 2026-10-12."""
    return intake.take_in(
        actor=as_actor(dazhi_clerk),
        item=elderly_item,
        applicant=applicant,
        provided=builders.COMPLETE,
        channel="window",
    ).case


class TestSpecialProcedure:
    def test_expert_review_pushes_the_due_date_by_its_working_days(self, clock, case, mz_reviewer):
        clock.set(dt.date(2026, 10, 16))
        pause = deadlines.suspend(
            actor=as_actor(mz_reviewer),
            case=case,
            kind="expert_review",
            reason="组织专家评审护理等级",
            start=dt.date(2026, 10, 9),
        )
        case.refresh_from_db()
        assert case.paused_since == dt.date(2026, 10, 9)
        with pytest.raises(ValidationError) as caught:
            handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        assert caught.value.code == "case_suspended"
        deadlines.resume(actor=as_actor(mz_reviewer), case=case, end=dt.date(2026, 10, 16))
        pause.refresh_from_db()
        case.refresh_from_db()
        # (10-9, 10-16]: 10-10 (Saturday 调休 working day), 10-12…10-16 → 6 working days.
        assert pause.workdays == 6 and case.paused_workdays == 6
        # 9-29 + 11: …10-12 (5), 10-13…10-16 (9), 10-19 (10), 10-20 (11).
        assert case.due_date == dt.date(2026, 10, 20)
        event = case.events.get(action="resumed")
        assert event.data["due_before"] == "2026-10-12" and event.data["workdays"] == 6
        body = OutboxMessage.objects.filter(related_id=case.case_no).latest("id").body
        assert "专家评审程序已结束，恢复计时，承诺2026年10月20日前办结" in body

    def test_rules(self, clock, case, mz_reviewer, dazhi_clerk):
        with pytest.raises(PermissionDenied):  # a window clerk does not run procedures
            deadlines.suspend(actor=as_actor(dazhi_clerk), case=case, kind="hearing", reason="听证")
        with pytest.raises(ValidationError) as caught:
            deadlines.suspend(
                actor=as_actor(mz_reviewer), case=case, kind="supplement", reason="补正"
            )
        assert caught.value.error_dict["kind"][0].code == "invalid_pause_kind"
        with pytest.raises(ValidationError) as caught:
            deadlines.resume(actor=as_actor(mz_reviewer), case=case)
        assert caught.value.code == "not_suspended"
        with pytest.raises(ValidationError) as caught:
            deadlines.suspend(
                actor=as_actor(mz_reviewer),
                case=case,
                kind="public_notice",
                reason="公示7日",
                start=dt.date(2026, 10, 30),
            )
        assert caught.value.error_dict["start"][0].code == "date_in_future"
        deadlines.suspend(
            actor=as_actor(mz_reviewer), case=case, kind="public_notice", reason="公示"
        )
        with pytest.raises(ValidationError) as caught:
            deadlines.suspend(actor=as_actor(mz_reviewer), case=case, kind="hearing", reason="听证")
        assert caught.value.code == "clock_already_paused"


class TestExtension:
    def test_needs_a_supervisor_other_than_the_requester(
        self, clock, case, mz_reviewer, supervisor, dazhi_clerk
    ):
        extension = deadlines.request_extension(
            actor=as_actor(mz_reviewer), case=case, workdays=5, reason="需入户核实居住情况"
        )
        case.refresh_from_db()
        assert case.due_date == dt.date(2026, 10, 12)  # nothing moves before approval
        with pytest.raises(PermissionDenied):
            deadlines.decide_extension(
                actor=as_actor(dazhi_clerk), extension=extension, approve=True
            )
        with pytest.raises(PermissionDenied):
            deadlines.decide_extension(
                actor=as_actor(mz_reviewer), extension=extension, approve=True
            )
        deadlines.decide_extension(
            actor=as_actor(supervisor), extension=extension, approve=True, note="同意延期"
        )
        extension.refresh_from_db()
        case.refresh_from_db()
        assert extension.status == ExtensionStatus.APPROVED
        assert extension.approver == supervisor.staff
        # 9-29 + 10: … 10-12 (5), 10-13…10-16 (9), 10-19 (10).
        assert case.due_date == dt.date(2026, 10, 19) == extension.due_after
        assert list(case.events.values_list("action", flat=True))[-2:] == [
            "extension_requested",
            "extended",
        ]
        with pytest.raises(ValidationError) as caught:
            deadlines.decide_extension(
                actor=as_actor(supervisor), extension=extension, approve=True
            )
        assert caught.value.code == "extension_decided"

    def test_supervisor_cannot_approve_their_own_request(self, clock, case, supervisor):
        # Even a supervisor who also handles a case needs someone else to approve.
        from bianmin.cases.models import Extension

        extension = Extension.objects.create(
            case=case, workdays=3, reason="测试", requested_by=supervisor.staff
        )
        with pytest.raises(PermissionDenied):
            deadlines.decide_extension(
                actor=as_actor(supervisor), extension=extension, approve=True
            )

    def test_refused_extension_changes_nothing(self, clock, case, mz_reviewer, supervisor):
        extension = deadlines.request_extension(
            actor=as_actor(mz_reviewer), case=case, workdays=3, reason="材料需补充核实"
        )
        deadlines.decide_extension(
            actor=as_actor(supervisor), extension=extension, approve=False, note="理由不充分"
        )
        case.refresh_from_db()
        assert case.due_date == dt.date(2026, 10, 12) and case.extended_workdays == 0


class TestSweep:
    def test_yellow_then_red_once_each(self, clock, case):
        # 10-9: working days left in (10-9, 10-12] = 10-10, 10-12 → 2 > 20 % of 5.
        assert deadlines.sweep_deadlines(on=dt.date(2026, 10, 9)).changed == {}
        # 10-10 (a 调休 Saturday): 1 left = 20 % of 5 → yellow.
        report = deadlines.sweep_deadlines(on=dt.date(2026, 10, 10))
        assert report.changed == {"yellow": 1}
        case.refresh_from_db()
        assert case.warning_level == WarningLevel.YELLOW
        # A re-run is a no-op: no second event, no second message.
        assert deadlines.sweep_deadlines(on=dt.date(2026, 10, 10)).changed == {}
        # Due day itself: still yellow. The next working day: red.
        assert deadlines.sweep_deadlines(on=dt.date(2026, 10, 12)).changed == {}
        assert deadlines.sweep_deadlines(on=dt.date(2026, 10, 13)).changed == {"red": 1}
        case.refresh_from_db()
        assert case.warning_level == WarningLevel.RED
        events = CaseEvent.objects.filter(case=case, action="warning")
        assert [e.data["to"] for e in events] == ["yellow", "red"]
        messages = OutboxMessage.objects.filter(related_id=case.case_no, channel="in_app")
        assert [(m.dedupe_key, m.recipient_address) for m in messages.order_by("id")] == [
            (f"case:{case.case_no}:{e.pk}", "dept:MZ") for e in events
        ]
        assert "已超过承诺办结日期2026年10月12日" in messages.latest("id").body

    def test_a_stopped_clock_does_not_turn_yellow(self, clock, case, mz_reviewer):
        clock.set(dt.date(2026, 10, 8))
        deadlines.suspend(
            actor=as_actor(mz_reviewer), case=case, kind="inspection", reason="现场勘查"
        )
        assert deadlines.sweep_deadlines(on=dt.date(2026, 10, 13)).changed == {}

    def test_closed_cases_are_not_watched(self, clock, case, mz_reviewer, dazhi_clerk):
        handling.act_on_review(
            actor=as_actor(mz_reviewer), review=case.reviews.get(), decision="approve"
        )
        handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
        handling.close(actor=as_actor(dazhi_clerk), case=case)
        report = deadlines.sweep_deadlines(on=dt.date(2026, 12, 1))
        assert report.checked == 0 and report.changed == {}

    def test_management_command(self, clock, case, capsys):
        call_command("cases", "sweep", "--date", "2026-10-13")
        out = capsys.readouterr().out
        assert "1" in out and "red" in out
        case.refresh_from_db()
        assert case.warning_level == WarningLevel.RED


class TestProvisionalCorrection:
    def test_publishing_the_next_years_holidays_corrects_the_due_date(
        self, clock, dazhi_clerk, applicant, system_actor
    ):
        from bianmin.core import workdays

        item = builders.item("MZ-GLJT-020", promised=20)
        clock.set(dt.date(2026, 12, 21))
        case = intake.take_in(
            actor=as_actor(dazhi_clerk),
            item=item,
            applicant=applicant,
            provided=builders.COMPLETE,
            channel="window",
        ).case
        assert (case.due_date, case.due_provisional) == (dt.date(2027, 1, 18), True)
        # Nothing is known yet: the sweep leaves the guess alone.
        assert deadlines.sweep_deadlines(on=dt.date(2026, 12, 22)).corrected == 0
        # The State Council's 2027 notice is entered: 1 January (a Friday) is 元旦.
        workdays.set_override(
            actor=system_actor, day=dt.date(2027, 1, 1), is_workday=False, name="元旦"
        )
        workdays.publish_year(actor=system_actor, year=2027, source="国办发明电〔2026〕测试号")
        report = deadlines.sweep_deadlines(on=dt.date(2026, 12, 23))
        assert report.corrected == 1
        case.refresh_from_db()
        # One working day fewer in the span: 20th working day is now Tuesday 1-19.
        assert (case.due_date, case.due_provisional) == (dt.date(2027, 1, 19), False)
        event = case.events.get(action="due_corrected")
        assert event.data == {
            "due_before": "2027-01-18",
            "due_after": "2027-01-19",
            "provisional": False,
        }
        body = OutboxMessage.objects.get(dedupe_key=f"case:{case.case_no}:{event.pk}").body
        assert "承诺办结日期调整为2027年1月19日" in body
        assert deadlines.sweep_deadlines(on=dt.date(2026, 12, 23)).corrected == 0
