"""我的待办 and the case page through HTTP: reviews (incl. AB岗), the decision, the clock's
special procedures and extension, supplements, delivery, visits — each one service call; a
transition the state does not allow shows the service's message and changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bianmin.cases.models import (
    Case,
    CaseStatus,
    Extension,
    ExtensionStatus,
    Review,
    ReviewStatus,
)
from bianmin.cases.services import absences, handling, intake
from bianmin.cases.services.precheck import Applicant
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.access import actor_for
from tests.counter.conftest import APPLICATION, HARDSHIP, TEMP_AID, signed_in, take_in

pytestmark = pytest.mark.django_db
WORK = "/counter/work/"


def case_url(case, tail: str = "") -> str:
    return f"/counter/cases/{case.case_no}/{tail}"


def act(client, case, action: str, data=None, **kw):
    return client.post(case_url(case, f"act/{action}/"), data or {}, **kw)


def review_of(case) -> Review:
    return case.reviews.get()


@pytest.fixture
def case(catalog, clerk, resident):
    """临时救助: accepted at 大智街道, one open 民政 review."""
    return take_in(clerk, resident)


@pytest.fixture
def reviewer_client(reviewer):
    return signed_in(reviewer)


class TestMyWork:
    def test_reviewer_sees_the_open_review_of_the_department(self, case, reviewer_client):
        response = reviewer_client.get(WORK)
        assert [r.case_id for r in response.context["reviews"]] == [case.pk]
        html = response.content.decode()
        assert case.case_no in html and "部门共享" in html

    def test_backup_sees_the_absent_a_posts_work_marked_as_such(
        self, case, reviewer, backup, supervisor
    ):
        review = review_of(case)
        handling.assign_review(actor=actor_for(reviewer), review=review, assignee=reviewer.staff)
        client = signed_in(backup)
        assert client.get(WORK).context["reviews"] == []
        today = timezone.localdate()
        absences.mark_absent(
            actor=actor_for(supervisor),
            staff=reviewer.staff,
            start=today,
            end=today,
            reason="年休假",
        )
        response = client.get(WORK)
        assert [r.pk for r in response.context["reviews"]] == [review.pk]
        assert "AB岗：代mz_reviewer" in response.content.decode()
        # …and acts on it from the case page, marked the same way
        page = client.get(case_url(case)).content.decode()
        assert "AB岗：代mz_reviewer办理" in page
        act(client, case, "review", {"review": review.pk, "decision": "approve"})
        review.refresh_from_db()
        assert review.status == ReviewStatus.APPROVED and review.acted_by == backup.staff

    def test_clerk_sees_online_applications_and_supplements(self, catalog, clerk, resident):
        online = intake.submit_online(
            actor=Actor(name="portal"),
            item=intake.resolve_item(TEMP_AID),
            applicant=Applicant(person=resident),
            provided=[APPLICATION],
        ).case
        returned = take_in(clerk, resident, materials=())
        response = signed_in(clerk).get(WORK)
        assert [c.pk for c in response.context["to_precheck"]] == [online.pk]
        assert [c.pk for c in response.context["returned"]] == [returned.pk]

    def test_the_list_costs_the_same_queries_for_more_cases(
        self, catalog, clerk, resident, reviewer
    ):
        client = signed_in(reviewer)
        take_in(clerk, resident)
        with CaptureQueriesContext(connection) as few:
            client.get(WORK)
        for _ in range(5):
            take_in(clerk, resident)
        with CaptureQueriesContext(connection) as many:
            response = client.get(WORK)
        assert len(response.context["reviews"]) == 6
        assert len(many) == len(few)


class TestCasePage:
    def test_case_file_shows_materials_sources_clock_and_history(
        self, case, reviewer, reviewer_client
    ):
        response = reviewer_client.get(case_url(case))
        html = response.content.decode()
        assert response.status_code == 200
        assert "申请人提交" in html and "数据共享获取" in html
        assert case.due_date.isoformat() in html and "受理" in html
        assert AuditEntry.objects.filter(
            action=AuditAction.READ,
            object_type="case",
            object_id=case.case_no,
            actor_id=reviewer.pk,
        ).exists()

    def test_review_approve_then_decide_deliver_close(self, case, reviewer_client, clerk_client):
        review = review_of(case)
        response = act(
            reviewer_client, case, "review", {"review": review.pk, "decision": "approve"}
        )
        assert response.status_code == 302
        assert "审查意见已提交" in reviewer_client.get(case_url(case)).content.decode()
        act(reviewer_client, case, "decide", {"approve": "1", "reasons": ""})
        case.refresh_from_db()
        assert (case.status, case.decision) == (CaseStatus.DECIDED, "approved")
        act(clerk_client, case, "deliver", {"method": "window"})
        act(clerk_client, case, "close")
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED and case.visit_count == 2

    def test_a_decision_before_the_reviews_is_refused_and_nothing_changes(
        self, case, reviewer_client
    ):
        response = act(reviewer_client, case, "decide", {"approve": "1"})
        assert response.status_code == 409
        assert "尚有部门审查未完成，不能作出决定" in response.content.decode()
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_REVIEW and not case.decision

    def test_denial_needs_reasons(self, case, reviewer_client):
        act(reviewer_client, case, "review", {"review": review_of(case).pk, "decision": "approve"})
        response = act(reviewer_client, case, "decide", {"approve": "0", "reasons": ""})
        assert response.status_code == 400 and "请填写理由" in response.content.decode()
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_REVIEW

    def test_a_review_returned_stops_the_clock_and_the_clerk_takes_the_supplement(
        self, case, reviewer_client, clerk_client
    ):
        review = review_of(case)
        act(
            reviewer_client,
            case,
            "review",
            {
                "review": review.pk,
                "decision": "return",
                "opinion": "困难证明不清晰",
                "missing": [HARDSHIP],
            },
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.RETURNED and case.paused_since is not None
        notice = clerk_client.get(case_url(case, "notice/supplement/")).content.decode()
        assert "遭遇困难的相关证明" in notice and "困难证明不清晰" in notice
        response = act(clerk_client, case, "resubmit", {"m": [HARDSHIP]})
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_REVIEW and case.paused_since is None
        assert review_of(case).status == ReviewStatus.OPEN

    def test_special_procedure_and_extension(self, case, reviewer, reviewer_client, supervisor):
        act(reviewer_client, case, "suspend", {"kind": "inspection", "reason": "入户核查"})
        case.refresh_from_db()
        assert case.paused_since == timezone.localdate()
        # Reviewing waits while the clock is stopped: the service says so.
        response = act(
            reviewer_client, case, "review", {"review": review_of(case).pk, "decision": "approve"}
        )
        assert response.status_code == 409 and "暂停计时" in response.content.decode()
        act(reviewer_client, case, "resume", {})
        case.refresh_from_db()
        assert case.paused_since is None
        act(reviewer_client, case, "extend", {"workdays": 5, "reason": "需补充调查"})
        extension = Extension.objects.get(case=case)
        assert extension.status == ExtensionStatus.PENDING
        # A second request while one waits is refused.
        response = act(reviewer_client, case, "extend", {"workdays": 3, "reason": "再延"})
        assert response.status_code == 409 and "已有待审批的延期申请" in response.content.decode()
        due = case.due_date
        response = signed_in(supervisor).post(
            f"/counter/supervision/extensions/{extension.pk}/decide/",
            {"approve": "1", "note": "同意"},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        extension.refresh_from_db()
        assert extension.status == ExtensionStatus.APPROVED and case.due_date > due

    def test_visit_is_recorded(self, case, clerk_client):
        act(clerk_client, case, "visit", {"purpose": "出示原件"})
        case.refresh_from_db()
        assert case.visit_count == 2
        assert act(clerk_client, case, "visit", {"purpose": ""}).status_code == 400

    def test_terminate_with_a_reason(self, case, clerk_client):
        act(clerk_client, case, "terminate", {"reason": "申请人撤回申请"})
        case.refresh_from_db()
        assert case.status == CaseStatus.TERMINATED

    def test_online_application_accepted_from_the_case_page(self, catalog, clerk_client, resident):
        online = intake.submit_online(
            actor=Actor(name="portal"),
            item=intake.resolve_item(TEMP_AID),
            applicant=Applicant(person=resident),
            provided=[APPLICATION, HARDSHIP],
        ).case
        page = clerk_client.get(case_url(online)).content.decode()
        assert "材料齐全" in page
        response = act(clerk_client, online, "accept", {})
        assert response["Location"] == case_url(online, "notice/acceptance/")
        online.refresh_from_db()
        assert online.status == CaseStatus.IN_REVIEW and online.org_unit is not None

    def test_files_uploaded_online_open_from_the_case_page(
        self, catalog, clerk, clerk_client, resident, settings, tmp_path
    ):
        from bianmin.portal.services.uploads import check_file, storing
        from tests.portal import files

        settings.MEDIA_ROOT = tmp_path / "media"
        online = intake.submit_online(
            actor=Actor(name="portal"),
            item=intake.resolve_item(TEMP_AID),
            applicant=Applicant(person=resident),
            provided=[APPLICATION],
        ).case
        checked = check_file(files.png("shenqingshu.png"), code=APPLICATION, name="临时救助申请书")
        with storing() as stored:
            upload = stored.save(online, checked, purpose="application", user_id=clerk.pk)
        page = clerk_client.get(case_url(online)).content.decode()
        assert "shenqingshu.png" in page and f"/portal/staff/files/{upload.pk}/" in page
        assert clerk_client.get(f"/portal/staff/files/{upload.pk}/").status_code == 200

    def test_unknown_action_is_404_and_get_is_not_allowed(self, case, clerk_client):
        assert act(clerk_client, case, "explode").status_code == 404
        assert clerk_client.get(case_url(case, "act/close/")).status_code == 405


class TestScope:
    def test_another_streets_clerk_sees_nothing_of_the_case(self, case, minzu_clerk):
        client = signed_in(minzu_clerk)
        assert client.get(case_url(case)).status_code == 403
        assert client.get(case_url(case, "notice/acceptance/")).status_code == 403
        assert act(client, case, "visit", {"purpose": "出示原件"}).status_code == 403
        assert (
            client.get("/counter/cases/", {"q": case.case_no}).context["page"].paginator.count == 0
        )
        assert case.case_no not in client.get(WORK).content.decode()
        assert Case.objects.get(pk=case.pk).visit_count == 1

    def test_a_reviewer_of_another_department_cannot_act(self, case, catalog):
        from tests import factories
        from tests.conftest import JIANGAN

        other = factories.staff("rs_reviewer", role="reviewer", division=JIANGAN, department="RS")
        client = signed_in(other)
        assert client.get(case_url(case)).status_code == 403

    def test_unknown_case_is_404(self, clerk_client):
        assert clerk_client.get("/counter/cases/BM20260101000001/").status_code == 404
