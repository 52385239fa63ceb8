"""综合受理 through HTTP: 一号 by POST, the applicant's panel, items of the counter's level,
the live precheck (一次性告知), and each outcome ending on its printable notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.cases.models import Case, CaseEvent, CaseStatus, DeficiencyPledge, EventAction
from bianmin.core import crypto
from bianmin.core.identifiers import make_citizen_id
from bianmin.core.models import AuditAction, AuditEntry
from tests import factories
from tests.conftest import BAOCHENG
from tests.counter.conftest import APPLICATION, ELDERLY, HARDSHIP, TEMP_AID, signed_in, take_in

pytestmark = pytest.mark.django_db

START = "/counter/intake/"
IDENTIFY, APPLICANT = f"{START}identify/", f"{START}applicant/"


def item_url(code: str, step: str = "") -> str:
    return f"/counter/intake/item/{code}/{step + '/' if step else ''}"


def identify(client, number: str):
    return client.post(IDENTIFY, {"number": number})


@pytest.fixture
def at_counter(catalog, clerk_client, resident):
    """The clerk has read 王秀英's ID card."""
    response = identify(clerk_client, resident.id_number_for_test)
    assert response.status_code == 302 and response["Location"] == APPLICANT
    return clerk_client


class TestIdentify:
    def test_the_number_goes_in_the_body_and_the_read_is_audited(
        self, catalog, clerk, clerk_client, resident
    ):
        # When the clerk types the number
        response = identify(clerk_client, resident.id_number_for_test)
        # Then the next page is addressed without it, and the read is on record with its purpose
        assert response["Location"] == APPLICANT
        entry = AuditEntry.objects.filter(object_type="person", object_id=str(resident.pk)).latest(
            "id"
        )
        assert (entry.action, entry.actor_id) == (AuditAction.READ, clerk.pk)
        assert "受理申请" in entry.purpose
        page = clerk_client.get(APPLICANT).content.decode()
        assert resident.id_masked in page and resident.id_number_for_test not in page

    def test_an_unknown_number_says_so_and_is_not_echoed(self, clerk_client):
        number = make_citizen_id("420102", dt.date(1950, 1, 1), 7)
        response = identify(clerk_client, number)
        html = response.content.decode()
        assert response.status_code == 200
        assert "人口库中没有该身份证号码的记录" in html and number not in html

    def test_a_wrong_check_digit_is_reported(self, clerk_client, resident):
        good = resident.id_number_for_test
        bad = good[:17] + ("1" if good[17] != "1" else "2")
        html = identify(clerk_client, bad).content.decode()
        assert "校验位错误" in html and bad not in html

    def test_an_organisation_by_credit_code(self, catalog, clerk_client):
        from bianmin.core.audit import Actor
        from bianmin.core.identifiers import make_credit_code
        from bianmin.registry.services.organisations import create_organisation

        code = make_credit_code("92", "420102", "MA4KXY12B")
        create_organisation(
            actor=Actor(name="t"), credit_code=code, name="江岸区张记热干面馆", division=BAOCHENG
        )
        assert identify(clerk_client, code.lower())["Location"] == APPLICANT
        html = clerk_client.get(APPLICANT).content.decode()
        assert "江岸区张记热干面馆" in html and code in html
        # Items for people only (高龄津贴) are not offered to an organisation.
        assert "食品经营许可" in html and "高龄津贴申领" not in html

    def test_without_an_applicant_the_later_steps_go_back_to_step_one(self, catalog, clerk_client):
        assert clerk_client.get(APPLICANT)["Location"] == START
        assert clerk_client.get(item_url(TEMP_AID))["Location"] == START

    def test_next_applicant_forgets_the_current_one(self, at_counter):
        assert at_counter.post("/counter/intake/done/")["Location"] == START
        assert at_counter.get(APPLICANT)["Location"] == START

    def test_the_applicant_is_forgotten_after_two_hours(self, at_counter, monkeypatch):
        later = timezone.now() + dt.timedelta(hours=2, minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert at_counter.get(APPLICANT)["Location"] == START

    def test_roles_that_do_not_take_applications_in_are_refused(self, baocheng_worker):
        assert signed_in(baocheng_worker).get(START).status_code == 403


class TestApplicantPanel:
    def test_panel_shows_the_person_tags_cases_and_likely_items(
        self, at_counter, clerk, resident, minzu_clerk
    ):
        mine = take_in(clerk, resident)
        # A case the same resident filed in 江汉区 is outside this clerk's scope.
        elsewhere = take_in(minzu_clerk, resident)
        Case.unscoped.filter(pk=elsewhere.pk).update(applicant_area_code="420103001002")
        response = at_counter.get(APPLICANT)
        html = response.content.decode()
        assert "王秀英" in html and resident.id_masked in html and "82岁" in html
        assert "保成路18号" in html and "80岁以上高龄老人" in html
        assert mine.case_no in html and elsewhere.case_no not in html
        suggested = [i.code for i in response.context["panel"].suggested]
        assert ELDERLY in suggested  # 82 years old: 高龄津贴
        assert "WJ-004" not in suggested  # an organisation's licence
        # The certificate library's section (certificates app), empty for this resident.
        assert 'data-testid="holder-certificates"' in html and "暂无电子证照" in html

    def test_only_items_this_level_accepts_are_offered(self, at_counter):
        codes = {i.code for i in at_counter.get(APPLICANT).context["items"]}
        assert {TEMP_AID, ELDERLY, "GA-001"} <= codes
        assert "WJ-002" not in codes  # district level only
        assert "WJ-004" not in codes  # city and district

    def test_item_search_narrows_the_list(self, at_counter):
        response = at_counter.get("/counter/intake/items/", {"q": "高龄"}, HTTP_HX_REQUEST="true")
        assert [i.code for i in response.context["items"]] == [ELDERLY]
        assert "<html" not in response.content.decode()

    def test_bundles_are_offered_when_every_item_is_acceptable_here(self, at_counter):
        codes = [b.bundle.code for b in at_counter.get(APPLICANT).context["bundles"]]
        assert "LB-CANYIN" in codes and "LB-CHUSHENG" not in codes


class TestChecklistAndPrecheck:
    def test_shared_materials_are_fetched_not_asked(self, at_counter):
        response = at_counter.get(item_url(TEMP_AID))
        html = response.content.decode()
        assert 'name="m" value="application"' in html
        assert 'name="m" value="id-card"' not in html  # shared: no checkbox
        assert "数据共享获取" in html
        result = response.context["result"]
        assert [c.code for c in result.missing] == [APPLICATION, HARDSHIP]
        assert {c.code for c in result.shared} == {"id-card", "hukou"}

    def test_live_precheck_lists_every_missing_material_at_once(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "precheck"),
            {"m": [HARDSHIP], f"form_{HARDSHIP}": "copy"},
            HTTP_HX_REQUEST="true",
        )
        html = response.content.decode()
        assert "<html" not in html and 'id="precheck"' in html
        assert [c.code for c in response.context["result"].missing] == [APPLICATION]
        assert "材料不齐全" in html and "临时救助申请书" in html

    def test_a_copy_where_the_original_is_required_is_named(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "precheck"),
            {"m": [APPLICATION, HARDSHIP], f"form_{APPLICATION}": "copy"},
            HTTP_HX_REQUEST="true",
        )
        assert "须提交原件，现提交的是复印件" in response.content.decode()

    def test_only_non_essential_missing_offers_a_pledge(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "precheck"), {"m": [APPLICATION]}, HTTP_HX_REQUEST="true"
        )
        assert response.context["result"].deficiency_possible
        assert 'value="pledge"' in response.content.decode()

    def test_an_unknown_material_is_an_error_not_ignored(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "precheck"), {"m": ["passport"]}, HTTP_HX_REQUEST="true"
        )
        assert "没有以下材料：passport" in response.content.decode()

    def test_an_item_of_another_level_cannot_be_taken_in_here(self, at_counter):
        html = at_counter.get(item_url("WJ-004")).content.decode()
        assert "不能在街道（乡镇）便民服务中心受理" in html
        response = at_counter.post(item_url("WJ-004", "submit"), {"outcome": "accept"})
        assert response.status_code == 200 and not Case.objects.exists()

    def test_an_unknown_item_is_404(self, at_counter):
        assert at_counter.get(item_url("NO-SUCH")).status_code == 404


class TestOutcomes:
    def test_accept_needs_every_material(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "submit"), {"m": [APPLICATION], "outcome": "accept"}
        )
        assert "材料不齐全，不能受理（缺少：遭遇困难的相关证明" in response.content.decode()
        assert not Case.objects.exists()

    def test_accept_prints_the_acceptance_notice(self, at_counter, resident):
        response = at_counter.post(
            item_url(TEMP_AID, "submit"),
            {"m": [APPLICATION, HARDSHIP], "outcome": "accept"},
            follow=True,
        )
        case = Case.objects.get()
        assert case.status == CaseStatus.IN_REVIEW and case.visit_count == 1
        assert response.redirect_chain[-1][0] == f"/counter/cases/{case.case_no}/notice/acceptance/"
        html = response.content.decode()
        assert "受理通知书" in html and case.case_no in html
        assert case.due_date.strftime("%Y年%-m月%-d日") in html
        assert "临时救助申请书" in html and "数据共享获取" in html  # received, and fetched
        assert "大智街道便民服务中心" in html and "申请人（代理人）签字" in html
        assert crypto.decrypt(resident.id_cipher) not in html
        # The same notice for an English reader gives dates the English way.
        english = at_counter.get(response.redirect_chain[-1][0], HTTP_ACCEPT_LANGUAGE="en")
        assert case.due_date.strftime("%-d %B %Y") in english.content.decode()
        assert "年" not in case.due_date.strftime("%-d %B %Y")

    def test_supplement_prints_the_one_time_notice_and_stops_the_clock(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "submit"), {"m": [], "outcome": "supplement"}, follow=True
        )
        case = Case.objects.get()
        assert case.status == CaseStatus.RETURNED and case.paused_since is not None
        html = response.content.decode()
        assert "一次性告知书" in html and case.case_no in html
        assert "临时救助申请书" in html and "遭遇困难的相关证明" in html
        assert "未提交（须提交原件）" in html

    def test_supplement_when_complete_is_refused(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "submit"),
            {"m": [APPLICATION, HARDSHIP], "outcome": "supplement"},
        )
        assert "材料已齐全，请直接受理" in response.content.decode()
        assert not Case.objects.exists()

    def test_pledge_accepts_with_the_missing_material_promised(self, at_counter):
        due = timezone.localdate() + dt.timedelta(days=10)
        response = at_counter.post(
            item_url(TEMP_AID, "submit"),
            {"m": [APPLICATION], "outcome": "pledge", "pledge_due": due.isoformat()},
            follow=True,
        )
        case = Case.objects.get()
        pledge = DeficiencyPledge.objects.get(case=case)
        assert case.accepted_at is not None and pledge.due_date == due
        assert [m["code"] for m in pledge.materials] == [HARDSHIP]
        assert "容缺材料" in response.content.decode()
        assert f"/counter/cases/{case.case_no}/notice/pledge/" in response.content.decode()
        html = at_counter.get(f"/counter/cases/{case.case_no}/notice/pledge/").content.decode()
        assert "容缺受理承诺书" in html and "遭遇困难的相关证明" in html and "承诺人" in html

    def test_pledge_needs_a_date(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "submit"), {"m": [APPLICATION], "outcome": "pledge"}
        )
        assert "容缺受理须填写承诺补交日期" in response.content.decode()
        assert not Case.objects.exists()

    def test_pledge_date_in_the_past_is_the_services_error(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "submit"),
            {
                "m": [APPLICATION],
                "outcome": "pledge",
                "pledge_due": timezone.localdate().isoformat(),
            },
        )
        assert "承诺补交日期应晚于今天" in response.content.decode()
        assert not Case.objects.exists()

    def test_refuse_records_the_case_and_prints_the_reason(self, at_counter):
        response = at_counter.post(
            item_url(TEMP_AID, "submit"),
            {"outcome": "refuse", "refuse_reason": "申请事项不属于本机关职权范围"},
            follow=True,
        )
        case = Case.objects.get()
        assert case.status == CaseStatus.NOT_ACCEPTED and case.closed_on is not None
        event = CaseEvent.objects.get(case=case, action=EventAction.NOT_ACCEPTED)
        assert event.reason == "申请事项不属于本机关职权范围"
        html = response.content.decode()
        assert "不予受理通知书" in html and "不属于本机关职权范围" in html
        assert "行政复议" in html

    def test_refuse_needs_a_reason(self, at_counter):
        response = at_counter.post(item_url(TEMP_AID, "submit"), {"outcome": "refuse"})
        assert "请填写理由" in response.content.decode() and not Case.objects.exists()

    def test_an_ineligible_applicant_can_only_be_refused(self, catalog, clerk_client):
        number = make_citizen_id("420102", dt.date(1990, 5, 5), 321)
        factories.person(
            community=BAOCHENG, name="赵敏", birth=dt.date(1990, 5, 5), id_number=number
        )
        identify(clerk_client, number)
        page = clerk_client.get(item_url(ELDERLY))
        assert "申请人未满80周岁" in page.content.decode()
        refused = clerk_client.post(
            item_url(ELDERLY, "submit"), {"m": ["bank-account"], "outcome": "accept"}
        )
        assert not Case.objects.exists() and "申请人未满80周岁" in refused.content.decode()
        clerk_client.post(
            item_url(ELDERLY, "submit"), {"outcome": "refuse", "refuse_reason": "未满80周岁"}
        )
        assert Case.objects.get().status == CaseStatus.NOT_ACCEPTED


class TestAgentAndBundle:
    def test_agent_intake_records_the_residents_consent(self, catalog, agent, resident):
        client = signed_in(agent)
        identify(client, resident.id_number_for_test)
        data = {"m": [APPLICATION, HARDSHIP], "outcome": "accept", "consent_method": ""}
        response = client.post(item_url(TEMP_AID, "submit"), data)
        assert "代办须记录申请人的委托方式" in response.content.decode()
        assert not Case.objects.exists()
        data.update(consent_method="written", consent_at="2026-01-05T09:30")
        response = client.post(item_url(TEMP_AID, "submit"), data)
        case = Case.objects.get()
        assert response.status_code == 302
        assert (case.channel, case.agent_id, case.consent_method) == (
            "agent",
            agent.staff.pk,
            "written",
        )

    def test_bundle_one_notice_for_all_items(self, at_counter):
        response = at_counter.get("/counter/intake/bundle/LB-CANYIN/")
        assert response.context["target"].is_bundle
        # The application form is asked by both items: one checkbox.
        assert response.content.decode().count('name="m" value="application"') == 1
        response = at_counter.post(
            "/counter/intake/bundle/LB-CANYIN/submit/", {"outcome": "supplement"}, follow=True
        )
        cases = list(Case.objects.order_by("id"))
        assert len(cases) == 2 and {c.status for c in cases} == {CaseStatus.RETURNED}
        html = response.content.decode()
        assert "补正材料一次性告知书" in html and cases[0].bundle_application.bundle_no in html
        assert html.count("个体工商户登记（备案）申请书") == 1

    def test_bundle_refused_as_a_whole_at_the_window(self, at_counter):
        response = at_counter.get("/counter/intake/bundle/LB-CANYIN/")
        assert "整个联办申请不予受理" in response.content.decode()
        response = at_counter.post(
            "/counter/intake/bundle/LB-CANYIN/submit/",
            {"outcome": "refuse", "refuse_reason": "经营场所位于居民住宅楼内，不属于可登记场所"},
            follow=True,
        )
        cases = list(Case.objects.order_by("id"))
        assert len(cases) == 2 and {c.status for c in cases} == {CaseStatus.NOT_ACCEPTED}
        html = response.content.decode()
        assert "联办不予受理通知书" in html and "不属于可登记场所" in html


class TestSharedMaterialsAtTheCounter:
    """The live precheck asks the sharing gate: a material it refuses is asked for at once,
    with the reason, and the clerk can receive it instead."""

    @pytest.fixture
    def no_hukou_grant(self, catalog):
        from bianmin.registry.access import actor_for
        from bianmin.sharing import services
        from bianmin.sharing.models import Grant

        owner = factories.staff("ga_owner", role="reviewer", division="420100", department="GA")
        services.revoke(
            actor=actor_for(owner),
            grant=Grant.objects.get(department_id="MZ", item_id="hukou"),
            reason="授权到期前收回",
        )

    def test_a_refused_material_is_listed_with_the_reason_and_can_be_ticked(
        self, no_hukou_grant, at_counter
    ):
        from bianmin.sharing.models import DataAccess

        html = at_counter.get(item_url(TEMP_AID)).content.decode()
        reason = "未能通过数据共享获取（承办部门未获该数据的共享授权），须提交原件"
        assert 'name="m" value="hukou"' in html and reason in html
        assert 'name="m" value="id-card"' not in html  # still fetched
        assert not DataAccess.objects.exists()  # the gate was asked, nobody's data read
        response = at_counter.post(
            item_url(TEMP_AID, "submit"),
            {"m": [APPLICATION, HARDSHIP], "outcome": "supplement"},
            follow=True,
        )
        assert "居民户口簿" in response.content.decode() and reason in response.content.decode()
        received = at_counter.post(
            item_url(TEMP_AID, "submit"),
            {"m": [APPLICATION, HARDSHIP, "hukou"], "outcome": "accept"},
            follow=True,
        )
        assert "受理通知书" in received.content.decode()
        assert Case.objects.order_by("-id").first().status == CaseStatus.IN_REVIEW

    def test_no_record_found_at_intake_returns_it_and_says_so(self, catalog, clerk_client):
        # 李秀兰 is on no household register: the gate lets 民政 through, the holder has nothing.
        number = factories.id_number(birth=dt.date(1950, 2, 3), male=False)
        factories.person(
            community=BAOCHENG,
            name="李秀兰",
            birth=dt.date(1950, 2, 3),
            male=False,
            id_number=number,
        )
        identify(clerk_client, number)
        response = clerk_client.post(
            item_url(TEMP_AID, "submit"),
            {"m": [APPLICATION, HARDSHIP], "outcome": "accept"},
            follow=True,
        )
        case = Case.objects.get()
        assert case.status == CaseStatus.RETURNED
        html = response.content.decode()
        assert "以下材料未能通过数据共享获取" in html and "共享数据中无记录" in html
        assert response.redirect_chain[-1][0].endswith("/notice/supplement/")
