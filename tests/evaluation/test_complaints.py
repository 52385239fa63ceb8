"""投诉: intake routed to whoever is responsible, double submissions answered with the first,
and the same loop as a bad review (受理 → 核实 → 处理 → 答复 → 办结)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bianmin.core.audit import Actor
from bianmin.core.models import AuditEntry
from bianmin.core.scope import DENY_ALL, acting_in
from bianmin.evaluation.models import Complaint
from bianmin.evaluation.services import (
    access_complaint,
    answer_complaint,
    complaint_feedback,
    handle_complaint,
    submit_complaint,
    verify_complaint,
)
from bianmin.notifications.models import OutboxMessage
from tests import factories
from tests.cases.conftest import as_actor
from tests.conftest import DAZHI_STREET

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline(db):
    """A 12345 hotline operator at the city, who records phone complaints."""
    return factories.staff("hotline", role="clerk", division="420100")


def about_case(actor, case, *, phone="13912345678", **kw):
    defaults = {
        "channel": "phone",
        "complainant_name": "王秀英",
        "content": "受理时窗口人员态度生硬，还让我回家补复印件",
        "subject_kind": "case",
        "case_no": case.case_no,
        "complainant_phone": phone,
    }
    return submit_complaint(actor=as_actor(actor), **{**defaults, **kw})


def code_of(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    if hasattr(error, "error_dict"):
        return next(e.code for errors in error.error_dict.values() for e in errors)
    return error.code


class TestIntake:
    def test_a_complaint_about_a_case_goes_to_its_centre_and_department(
        self, clock, closed_case, hotline
    ):
        clock.set(dt.date(2026, 9, 30))
        result = about_case(hotline, closed_case)
        complaint = result.complaint
        assert result.created
        assert complaint.complaint_no == f"TS20260930{complaint.pk:06d}"
        assert (complaint.org_unit_id, complaint.department_id, complaint.area_code) == (
            closed_case.org_unit_id,
            "MZ",
            "420102002",
        )
        # 10 working days from 09-30: 10-08, 09, 10 (调休), 12, 13, 14, 15, 16, 19, 20.
        assert (complaint.verify_due, complaint.due_date) == (
            dt.date(2026, 10, 8),
            dt.date(2026, 10, 20),
        )
        ack = OutboxMessage.objects.get(dedupe_key=f"complaint:{complaint.pk}:received")
        assert ack.recipient_address == "13912345678" and complaint.complaint_no in ack.body
        assert complaint.phone_masked == "139****5678"
        assert AuditEntry.objects.filter(object_type="complaint", action="create").count() == 1

    def test_about_a_staff_member_or_a_unit(self, clock, hotline, dazhi_clerk, mz_reviewer):
        on_staff = submit_complaint(
            actor=as_actor(hotline),
            channel="phone",
            complainant_name="李建国",
            complainant_phone="13700001111",
            content="民政审核人员电话一直打不通",
            subject_kind="staff",
            staff_id=mz_reviewer.staff.pk,
        ).complaint
        assert (on_staff.area_code, on_staff.department_id) == ("420102", "MZ")
        on_unit = submit_complaint(
            actor=as_actor(hotline),
            channel="phone",
            complainant_name="李建国",
            complainant_phone="13700001111",
            content="中心中午不开门，办事要等到下午",
            subject_kind="org_unit",
            org_unit_code=dazhi_clerk.staff.org_unit_id,
        ).complaint
        assert on_unit.area_code == "420102002" and on_unit.department_id is None

    def test_a_general_complaint_at_a_window_stays_with_that_centre(self, clock, dazhi_clerk):
        complaint = submit_complaint(
            actor=as_actor(dazhi_clerk),
            channel="window",
            complainant_name="张伟",
            complainant_phone="13600002222",
            content="大厅没有老花镜和饮水机",
            subject_kind="general",
        ).complaint
        assert complaint.org_unit == dazhi_clerk.staff.org_unit
        assert complaint.area_code == "420102002"

    def test_the_portal_files_for_the_identified_resident(self, clock, resident, django_user_model):
        account = django_user_model.objects.create_user("wxy")
        with acting_in(DENY_ALL):  # a resident's request has no staff scope
            complaint = submit_complaint(
                actor=Actor(user_id=account.pk, name="王秀英"),
                channel="portal",
                complainant_name="王秀英",
                content="社区代办点经常没人值班",
                subject_kind="general",
                person=resident,
            ).complaint
        # No subject, no receiving centre: the complainant's own area answers it.
        assert complaint.area_code == resident.area_code
        assert complaint.complainant_person == resident and complaint.complainant_phone == ""

    def test_bad_input(self, clock, closed_case, hotline):
        assert code_of(lambda: about_case(hotline, closed_case, content="差")) == (
            "content_required"
        )
        assert code_of(lambda: about_case(hotline, closed_case, phone="")) == "contact_required"
        assert code_of(lambda: about_case(hotline, closed_case, phone="12345")) == "phone_format"
        assert code_of(lambda: about_case(hotline, closed_case, case_no="BM1")) == "unknown_case"
        assert code_of(lambda: about_case(hotline, closed_case, channel="fax")) == (
            "invalid_complaint_channel"
        )
        assert not Complaint.unscoped.exists()


class TestDedupe:
    def test_a_double_submission_is_the_first_complaint(self, clock, closed_case, hotline):
        first = about_case(hotline, closed_case).complaint
        # Pressed twice, or called again a few minutes later with other words.
        again = about_case(hotline, closed_case, content="我刚才已经打过电话投诉了，再说一遍")
        assert not again.created and again.complaint.pk == first.pk
        # The same person about another subject is another complaint.
        other = about_case(hotline, closed_case, subject_kind="general")
        assert other.created
        # So is the same subject the next day.
        clock.set(dt.date(2026, 9, 30))
        assert about_case(hotline, closed_case).created
        assert Complaint.unscoped.count() == 3
        assert OutboxMessage.objects.filter(dedupe_key__endswith=":received").count() == 3

    def test_the_same_person_by_id_number_or_phone(self, clock, closed_case, hotline, resident):
        by_id = about_case(
            hotline, closed_case, phone="", complainant_id_number=resident.id_number_for_test
        )
        assert by_id.complaint.complainant_person == resident
        again = about_case(hotline, closed_case, phone="", person=resident)
        assert again.complaint.pk == by_id.complaint.pk


class TestLoop:
    def test_verify_handle_answer_close(self, clock, closed_case, hotline, dazhi_clerk):
        complaint = about_case(hotline, closed_case).complaint
        manager = factories.staff("dazhi_manager", role="clerk", division=DAZHI_STREET)
        actor = as_actor(manager)
        e = ValidationError
        with pytest.raises(e) as caught:
            answer_complaint(actor=actor, complaint=complaint, answer="已处理")
        assert caught.value.code == "invalid_transition"
        assert "已受理，待核实" in caught.value.messages[0]
        verify_complaint(actor=actor, complaint=complaint, founded=True, notes="调阅录像，属实")
        handle_complaint(actor=actor, complaint=complaint, notes="对窗口人员批评教育")
        answer_complaint(actor=actor, complaint=complaint, answer="经核实属实，已批评教育")
        answered = OutboxMessage.objects.get(dedupe_key=f"complaint:{complaint.pk}:answer:1")
        assert answered.recipient_address == "13912345678"
        assert "已批评教育" in answered.body
        complaint_feedback(actor=actor, complaint=complaint, satisfied=None, notes="回访未接通")
        complaint.refresh_from_db()
        assert complaint.status == "closed" and complaint.satisfied is None
        assert [s.action for s in complaint.steps.all()] == [
            "opened",
            "verified",
            "acted",
            "answered",
            "no_reply",
        ]

    def test_the_staff_complained_about_cannot_handle_it(self, clock, hotline, dazhi_clerk):
        complaint = submit_complaint(
            actor=as_actor(hotline),
            channel="phone",
            complainant_name="张伟",
            complainant_phone="13600002222",
            content="窗口人员上班时间玩手机",
            subject_kind="staff",
            staff_id=dazhi_clerk.staff.pk,
        ).complaint
        with pytest.raises(PermissionDenied):
            verify_complaint(
                actor=as_actor(dazhi_clerk), complaint=complaint, founded=False, notes="没有"
            )

    def test_reading_a_complaint_is_audited(self, clock, closed_case, hotline):
        complaint = about_case(hotline, closed_case).complaint
        access_complaint(actor=as_actor(hotline), complaint_id=complaint.pk)
        entry = AuditEntry.objects.filter(object_type="complaint", action="read").get()
        assert entry.object_label == f"{complaint.complaint_no} 王秀英"
