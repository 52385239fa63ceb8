"""好差评 on the portal: only once the result is delivered or the case closed, once; a bad
rating's rectification answer, and the resident's word on it; complaints."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.evaluation.models import Complaint, Rating
from bianmin.evaluation.services import (
    answer_complaint,
    answer_task,
    handle_complaint,
    rectify_task,
    verify_complaint,
    verify_task,
)
from tests import factories
from tests.cases.conftest import as_actor
from tests.conftest import DAZHI_STREET
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def closed(clock, cases, dazhi_clerk, resident):
    return cases.closed(dazhi_clerk, resident)


@pytest.fixture
def manager(db):
    return factories.staff("dazhi_manager", role="clerk", division=DAZHI_STREET)


class TestRating:
    def test_not_before_the_result(self, portal, clock, cases, dazhi_clerk, resident):
        case = cases.accepted(dazhi_clerk, resident)
        assert "提交评价" not in text(portal.get(f"/portal/cases/{case.case_no}/"))
        response = portal.post(f"/portal/cases/{case.case_no}/rate/", {"level": 5})
        assert response.status_code == 400
        assert "办结或结果送达后才能评价" in text(response)
        assert not Rating.unscoped.exists()

    def test_once_after_closure(self, portal, closed, account):
        page = text(portal.get(f"/portal/cases/{closed.case_no}/"))
        for level in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
            assert level in page
        response = portal.post(
            f"/portal/cases/{closed.case_no}/rate/", {"level": 5, "comment": "一次办好"}
        )
        assert response.status_code == 302
        rating = Rating.unscoped.get(case=closed)
        assert (rating.level, rating.channel, rating.entered_by_user_id) == (
            5,
            "portal",
            account.user_id,
        )
        page = text(portal.get(f"/portal/cases/{closed.case_no}/"))
        assert "提交评价" not in page and "一次办好" in page
        again = portal.post(
            f"/portal/cases/{closed.case_no}/rate/", {"level": 1, "comment": "后来想想不满意"}
        )
        assert "已经评价过" in text(again)
        assert Rating.unscoped.count() == 1

    def test_a_bad_rating_needs_a_reason(self, portal, closed):
        response = portal.post(f"/portal/cases/{closed.case_no}/rate/", {"level": 2})
        assert "请写明原因" in text(response)
        assert not Rating.unscoped.exists()

    def test_the_rectification_answer_and_the_resident_s_word(self, portal, closed, clock, manager):
        portal.post(
            f"/portal/cases/{closed.case_no}/rate/",
            {"level": 1, "comment": "材料没有一次告知清楚，多跑了一趟"},
        )
        task = Rating.unscoped.get(case=closed).task
        page = text(portal.get(f"/portal/cases/{closed.case_no}/"))
        assert "差评整改" in page and "我们将核实情况" in page
        clock.set(dt.date(2026, 9, 30))
        actor = as_actor(manager)
        verify_task(actor=actor, task=task, founded=True, notes="电话回访，属实")
        rectify_task(actor=actor, task=task, notes="一次性告知单增加户口簿说明")
        answer_task(actor=actor, task=task, answer="已完善一次性告知单，向您致歉")
        page = text(portal.get(f"/portal/cases/{closed.case_no}/"))
        assert "已完善一次性告知单，向您致歉" in page and "您对答复是否满意" in page
        response = portal.post(
            f"/portal/cases/{closed.case_no}/feedback/", {"satisfied": "1", "notes": "满意"}
        )
        assert response.status_code == 302
        task.refresh_from_db()
        assert task.status == "closed" and task.satisfied is True
        assert "您对答复表示满意" in text(portal.get(f"/portal/cases/{closed.case_no}/"))


class TestComplaints:
    def test_file_a_complaint_about_a_case_and_answer_the_reply(
        self, portal, closed, clock, manager, resident
    ):
        form = text(portal.get(f"/portal/complaints/?case={closed.case_no}"))
        assert f'value="{closed.case_no}" selected' in form
        response = portal.post(
            "/portal/complaints/",
            {"case_no": closed.case_no, "content": "窗口中午无人值守，等了一个小时"},
        )
        complaint = Complaint.unscoped.get()
        assert response["Location"] == f"/portal/complaints/{complaint.complaint_no}/"
        assert complaint.channel == "portal" and complaint.complainant_person_id == resident.pk
        assert complaint.case_id == closed.pk
        # A double click is answered with the first complaint.
        portal.post(
            "/portal/complaints/",
            {"case_no": closed.case_no, "content": "窗口中午无人值守，等了一个小时"},
        )
        assert Complaint.unscoped.count() == 1
        actor = as_actor(manager)
        verify_complaint(actor=actor, complaint=complaint, founded=True, notes="属实")
        handle_complaint(actor=actor, complaint=complaint, notes="中午安排轮班")
        answer_complaint(actor=actor, complaint=complaint, answer="已安排中午轮班值守")
        url = f"/portal/complaints/{complaint.complaint_no}/"
        assert "已安排中午轮班值守" in text(portal.get(url))
        portal.post(url, {"satisfied": "0", "notes": "还是没人"})
        complaint.refresh_from_db()
        assert complaint.satisfied is None and complaint.round == 2  # a second round

    def test_a_general_complaint_and_someone_else_s(self, portal, other_account):
        portal.post("/portal/complaints/", {"case_no": "", "content": "自助机长期故障无人维修"})
        complaint = Complaint.unscoped.get()
        assert complaint.subject_kind == "general"
        url = f"/portal/complaints/{complaint.complaint_no}/"
        assert portal.get(url).status_code == 200
        assert signed_in(other_account).get(url).status_code == 404

    def test_only_one_s_own_cases_can_be_named(
        self, portal, clock, cases, dazhi_clerk, jianghan_resident
    ):
        theirs = cases.accepted(dazhi_clerk, jianghan_resident)
        response = portal.post(
            "/portal/complaints/", {"case_no": theirs.case_no, "content": "办理太慢了，等了很久"}
        )
        assert response.status_code == 200 and not Complaint.unscoped.exists()
