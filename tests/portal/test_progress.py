"""我的办件: progress in plain words and five stages, 补正 on the portal (before acceptance and
after a review returned it), messages pushed at each step, and the access log."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.cases.models import Case, CaseStatus, ReviewStatus
from bianmin.cases.services import acceptance, handling, intake
from bianmin.cases.services.precheck import Applicant
from bianmin.notifications.delivery import deliver_due
from bianmin.notifications.models import InboxItem
from bianmin.portal.models import Upload
from bianmin.portal.services.accounts import resident_actor
from bianmin.registry.services.people import access_person, reveal_id_number
from tests.cases.conftest import as_actor
from tests.portal import files

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def stage_states(html: str) -> list[str]:
    import re

    block = html.split('data-testid="progress"')[1].split("</ol>")[0]
    return re.findall(r'<li class="(\w+)"', block)


@pytest.fixture
def decided(clock, cases, dazhi_clerk, mz_reviewer, resident) -> Case:
    """Accepted at the 大智街道 window on 9-29, reviewed and approved by 江岸区民政 on 9-30."""
    case = cases.accepted(dazhi_clerk, resident)
    clock.set(dt.date(2026, 9, 30))
    for review in case.reviews.all():
        handling.act_on_review(actor=as_actor(mz_reviewer), review=review, decision="approve")
    handling.decide(actor=as_actor(mz_reviewer), case=case, approve=True)
    return Case.unscoped.get(pk=case.pk)


class TestProgress:
    def test_a_decided_case_in_plain_words(self, portal, decided):
        html = text(portal.get(f"/portal/cases/{decided.case_no}/"))
        assert "已作出决定，等待送达" in html
        # 受理 ✓, 审查 ✓, 决定 ✓, 送达 now, 办结 to come (a window case has no 申报 stage).
        assert stage_states(html) == ["done", "done", "done", "current", "todo"]
        assert f"{decided.due_date:%Y}年{decided.due_date.month}月{decided.due_date.day}日" in html
        # Offices, never staff members' names.
        assert "大智街道便民服务中心" in html
        assert "dazhi_clerk" not in html and "mz_reviewer" not in html

    def test_an_online_application_starts_with_its_submission(
        self, portal, account, clock, elderly_item, resident
    ):
        case = intake.submit_online(
            actor=resident_actor(resident, account.user_id, None),
            item=elderly_item,
            applicant=Applicant(person=resident),
            provided=[{"code": c, "form": "electronic"} for c in ("hukou", "photo", "bank_card")],
        ).case
        html = text(portal.get(f"/portal/cases/{case.case_no}/"))
        assert "已提交，等待窗口预审" in html
        assert stage_states(html)[:2] == ["done", "current"]
        assert "本人" in html  # who submitted it

    def test_the_list_filters_by_what_needs_doing(self, portal, decided):
        assert decided.case_no in text(portal.get("/portal/cases/?tab=open"))
        assert decided.case_no not in text(portal.get("/portal/cases/?tab=done"))

    def test_an_online_case_s_steps_arrive_in_the_inbox_with_a_badge(
        self, portal, account, clock, elderly_item, resident, dazhi_clerk
    ):
        case = intake.submit_online(
            actor=resident_actor(resident, account.user_id, None),
            item=elderly_item,
            applicant=Applicant(person=resident),
            provided=[{"code": c, "form": "electronic"} for c in ("hukou", "photo", "bank_card")],
        ).case
        acceptance.accept(actor=as_actor(dazhi_clerk), case=case)
        deliver_due()
        items = InboxItem.objects.filter(user=account.user)
        assert items.count() == 2  # submitted, accepted
        home = text(portal.get("/portal/"))
        assert '<span class="dot">2</span>' in home
        inbox = text(portal.get("/portal/messages/"))
        assert "已受理" in inbox and "短信" not in inbox  # no SMS twin listed twice
        first = items.order_by("created_at", "pk").first()
        response = portal.post(f"/portal/messages/{first.pk}/read/")
        assert response["Location"] == f"/portal/cases/{case.case_no}/"
        first.refresh_from_db()
        assert first.read_at is not None
        portal.post("/portal/messages/read-all/")
        assert not items.filter(read_at__isnull=True).exists()

    def test_opening_the_case_reads_its_messages(
        self, portal, account, clock, elderly_item, resident
    ):
        intake.submit_online(
            actor=resident_actor(resident, account.user_id, None),
            item=elderly_item,
            applicant=Applicant(person=resident),
            provided=[{"code": c, "form": "electronic"} for c in ("hukou", "photo", "bank_card")],
        )
        deliver_due()
        item = InboxItem.objects.get(user=account.user)
        portal.get(f"/portal/cases/{item.related_id}/")
        item.refresh_from_db()
        assert item.read_at is not None

    def test_a_window_case_s_sms_texts_are_shown_too(self, portal, decided):
        inbox = text(portal.get("/portal/messages/"))
        assert "已审批通过，准予办理" in inbox and "短信" in inbox
        case_page = text(portal.get(f"/portal/cases/{decided.case_no}/"))
        assert "已审批通过，准予办理" in case_page

    def test_someone_else_s_message_cannot_be_marked(
        self, portal, account, other_account, clock, elderly_item, resident
    ):
        from tests.portal.conftest import signed_in

        intake.submit_online(
            actor=resident_actor(resident, account.user_id, None),
            item=elderly_item,
            applicant=Applicant(person=resident),
            provided=[{"code": c, "form": "electronic"} for c in ("hukou", "photo", "bank_card")],
        )
        deliver_due()
        item = InboxItem.objects.get(user=account.user)
        signed_in(other_account).post(f"/portal/messages/{item.pk}/read/")
        item.refresh_from_db()
        assert item.read_at is None


class TestSupplement:
    @pytest.fixture
    def returned(self, clock, elderly_item, dazhi_clerk, resident, account) -> Case:
        """Online without the 户口簿; the 大智街道 clerk's precheck returns it for that."""
        case = intake.submit_online(
            actor=resident_actor(resident, account.user_id, None),
            item=elderly_item,
            applicant=Applicant(person=resident),
            provided=[{"code": c, "form": "electronic"} for c in ("photo", "bank_card")],
        ).case
        acceptance.return_for_supplement(actor=as_actor(dazhi_clerk), case=case)
        return Case.unscoped.get(pk=case.pk)

    def test_the_page_says_what_is_missing(self, portal, returned):
        html = text(portal.get(f"/portal/cases/{returned.case_no}/"))
        assert "需要补正材料" in html and "请补正材料" in html and "居民户口簿" in html
        assert "大智街道便民服务中心" in html

    def test_upload_and_resubmit(self, portal, returned, clock):
        url = f"/portal/cases/{returned.case_no}/supplement/"
        assert "须补正" in text(portal.get(url))
        missing = portal.post(url, {"m_photo": files.jpeg()})
        assert "请上传以下补正材料：居民户口簿。" in text(missing)
        response = portal.post(url, {"m_hukou": files.pdf()})
        assert response.status_code == 302
        case = Case.unscoped.get(pk=returned.pk)
        assert case.status == CaseStatus.SUBMITTED and case.paused_since is None
        upload = Upload.objects.get(case=case)
        assert upload.purpose == "supplement" and upload.material_code == "hukou"
        # A second click finds nothing left to supplement.
        again = portal.post(url, {"m_hukou": files.pdf()})
        assert again["Location"] == f"/portal/cases/{case.case_no}/"
        assert Upload.objects.filter(case=case).count() == 1

    def test_after_a_review_returned_it(
        self, portal, clock, cases, dazhi_clerk, mz_reviewer, resident
    ):
        case = cases.accepted(dazhi_clerk, resident)
        review = case.reviews.get(status=ReviewStatus.OPEN)
        handling.act_on_review(
            actor=as_actor(mz_reviewer),
            review=review,
            decision="return",
            opinion="银行卡复印件不清晰，请重新提供",
            missing=["bank_card"],
        )
        html = text(portal.get(f"/portal/cases/{case.case_no}/"))
        assert "银行卡复印件不清晰，请重新提供" in html
        response = portal.post(
            f"/portal/cases/{case.case_no}/supplement/", {"m_bank_card": files.png()}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_REVIEW
        assert case.reviews.get(pk=review.pk).status == ReviewStatus.OPEN


class TestWhoReadMyData:
    def test_a_clerk_s_read_shows_the_unit_the_role_and_the_purpose(
        self, portal, resident, dazhi_clerk
    ):
        access_person(
            actor=as_actor(dazhi_clerk), person_id=resident.pk, purpose="核对高龄津贴资格"
        )
        reveal_id_number(actor=as_actor(dazhi_clerk), person=resident, purpose="办理社保卡")
        html = text(portal.get("/portal/me/access-log/"))
        assert "大智街道便民服务中心" in html and "综合窗口人员" in html
        assert "核对高龄津贴资格" in html and "查看完整证件号" in html and "办理社保卡" in html
        assert "dazhi_clerk" not in html
        assert "本人" in html  # her own registration's identity check

    def test_only_her_own_record(self, resident, jianghan_resident, dazhi_clerk, other_account):
        from tests.portal.conftest import signed_in

        access_person(
            actor=as_actor(dazhi_clerk), person_id=resident.pk, purpose="核对高龄津贴资格"
        )
        html = text(signed_in(other_account).get("/portal/me/access-log/"))
        assert "核对高龄津贴资格" not in html

    def test_case_files_read_by_staff_are_listed(self, portal, clock, cases, dazhi_clerk, resident):
        from bianmin.cases.services.common import access_case

        case = cases.accepted(dazhi_clerk, resident)
        access_case(actor=as_actor(dazhi_clerk), case_no=case.case_no)
        assert f"办件 {case.case_no}" in text(portal.get("/portal/me/access-log/"))
