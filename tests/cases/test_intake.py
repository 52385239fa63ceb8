"""Intake: 一号 look-up, one-time notice, 受理 / 补正 / 不予受理, 容缺, channels, levels."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bianmin.cases.models import (
    CaseEvent,
    CaseStatus,
    ClockPause,
    DeficiencyPledge,
    IntakeChannel,
    ReviewStatus,
)
from bianmin.cases.services import acceptance, bundles, intake
from bianmin.cases.services.intake import AgentConsent
from bianmin.cases.services.pledges import PledgeInput
from bianmin.cases.services.precheck import Applicant, Outcome, precheck
from bianmin.certificates.services.issuing import issue_certificate
from bianmin.core.identifiers import make_credit_code
from bianmin.core.models import AuditEntry
from bianmin.notifications.models import OutboxMessage
from bianmin.registry.services.organisations import create_organisation
from tests.cases import builders
from tests.cases.conftest import as_actor
from tests.certificates.conftest import make_issuer
from tests.conftest import JIANGAN

pytestmark = pytest.mark.django_db


def codes(checks) -> list[str]:
    return [c.code for c in checks]


class TestOneNumber:
    def test_clerk_types_the_id_number_and_sees_the_person(self, dazhi_clerk, resident):
        actor = as_actor(dazhi_clerk)
        found = intake.identify_applicant(actor=actor, id_number=resident.id_number_for_test)
        assert found.person == resident and found.name == "王秀英"
        assert found.masked_id == resident.id_masked and "*" in found.masked_id
        entry = AuditEntry.objects.filter(object_type="person", object_id=str(resident.pk)).latest(
            "id"
        )
        assert entry.action == "read" and entry.actor_id == dazhi_clerk.pk

    def test_an_applicant_from_another_district_is_served_too(self, dazhi_clerk, jianghan_resident):
        # 全域通办: a 江汉 resident at a 江岸 window.
        found = intake.identify_applicant(
            actor=as_actor(dazhi_clerk), id_number=jianghan_resident.id_number_for_test
        )
        assert found.person == jianghan_resident

    def test_unknown_number_is_a_clear_error(self, dazhi_clerk):
        from bianmin.core.identifiers import make_citizen_id

        with pytest.raises(ValidationError) as caught:
            intake.identify_applicant(
                actor=as_actor(dazhi_clerk),
                id_number=make_citizen_id("420102", dt.date(1950, 1, 1), 7),
            )
        assert caught.value.error_dict["applicant_id_number"][0].code == "unknown_applicant"


class TestPrecheck:
    def test_every_missing_or_invalid_material_is_listed_at_once(self, elderly_item, applicant):
        # Given the applicant brings only a copy of the 户口簿 (the original is required)
        result = precheck(
            item=elderly_item,
            applicant=applicant,
            provided=[{"code": "hukou", "form": "copy"}],
            channel=IntakeChannel.WINDOW,
        )
        # Then the notice names all three problems together, in catalogue order
        assert codes(result.missing) == ["hukou", "photo", "bank_card"]
        by_code = {c.code: c for c in result.checks}
        assert by_code["hukou"].outcome == Outcome.WRONG_FORM
        assert by_code["hukou"].reason == "须提交原件，现提交的是复印件"
        assert by_code["photo"].reason == "未提交（须提交原件）"
        # The ID card comes from the e-certificate library: listed, not missing
        assert by_code["id_card"].outcome == Outcome.SHARED
        assert by_code["id_card"].reason == "将通过数据共享获取，无需提交"
        # A conditional material is listed with its condition but does not block
        assert by_code["guardian"].outcome == Outcome.CONDITIONAL
        assert "由监护人代为申请的" in by_code["guardian"].reason
        assert by_code["residence"].outcome == Outcome.OPTIONAL
        notice = result.notice()
        assert [m["code"] for m in notice["missing"]] == ["hukou", "photo", "bank_card"]
        assert [m["code"] for m in notice["shared"]] == ["id_card"]
        assert [m["code"] for m in notice["conditional"]] == ["guardian"]
        assert notice["consult_phone"] == "027-82801234"
        assert not result.complete and result.deficiency_possible is False  # hukou is essential

    def test_a_confirmed_condition_makes_its_material_required(self, elderly_item, applicant):
        result = precheck(
            item=elderly_item,
            applicant=applicant,
            provided=builders.COMPLETE,
            channel=IntakeChannel.WINDOW,
            applicable=["guardian"],
        )
        assert codes(result.missing) == ["guardian"]
        assert result.missing[0].reason == "属于“由监护人代为申请的”情形，须提交原件"

    def test_original_satisfies_copy_and_online_uploads_satisfy_all(self, elderly_item, applicant):
        window = precheck(
            item=elderly_item,
            applicant=applicant,
            provided=["hukou", "photo", {"code": "bank_card", "form": "original"}],
            channel=IntakeChannel.WINDOW,
        )
        assert window.complete
        online = precheck(
            item=elderly_item,
            applicant=applicant,
            provided=[{"code": c, "form": "electronic"} for c in builders.COMPLETE],
            channel=IntakeChannel.ONLINE,
        )
        assert online.complete

    def test_unknown_material_code_is_refused(self, elderly_item, applicant):
        with pytest.raises(ValidationError) as caught:
            precheck(
                item=elderly_item,
                applicant=applicant,
                provided=["hukou", "marriage_cert"],
                channel=IntakeChannel.WINDOW,
            )
        assert caught.value.error_dict["materials"][0].code == "unknown_material"

    def test_age_condition(self, applicant):
        item = builders.item("MZ-GLJT-090", eligible_min_age=90)
        result = precheck(
            item=item, applicant=applicant, provided=builders.COMPLETE, channel="window"
        )
        assert result.problems == ("申请人未满90周岁，不符合申请条件。",)
        assert not result.complete

    def test_organisation_cannot_apply_for_a_person_item(self, elderly_item, dazhi_clerk):
        org = create_organisation(
            actor=as_actor(dazhi_clerk),
            credit_code=make_credit_code("91", "420102", "MA4K2P7X1"),
            name="武汉市江岸区便民超市",
            division="420102002003",
        )
        with pytest.raises(ValidationError) as caught:
            precheck(
                item=elderly_item,
                applicant=Applicant(organisation=org),
                provided=[],
                channel="window",
            )
        assert caught.value.code == "applicant_kind_mismatch"


class TestWindowIntake:
    def test_complete_application_is_accepted_with_number_and_due_date(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        result = intake.take_in(
            actor=as_actor(dazhi_clerk),
            item=elderly_item,
            applicant=applicant,
            provided=builders.COMPLETE,
            channel=IntakeChannel.WINDOW,
        )
        case = result.case
        assert result.accepted and case.status == CaseStatus.IN_REVIEW
        assert re.fullmatch(r"BM20260929\d{6}", case.case_no)
        # 2026-09-29 (Tue) + 5 working days, per the State Council notice for 2026: 9-30 (1),
        # 10-1…10-7 National Day off, 10-8 (2), 10-9 (3), Saturday 10-10 is a 调休 working
        # day (4), 10-11 Sunday off, 10-12 (5).
        assert case.accepted_on == dt.date(2026, 9, 29)
        assert case.due_date == dt.date(2026, 10, 12) and case.due_provisional is False
        assert case.area_code == "420102002" and case.applicant_area_code.startswith("420102002")
        assert case.visit_count == 1  # the applicant came to the window
        assert [r.status for r in case.reviews.all()] == [ReviewStatus.OPEN]
        shared = case.materials.get(code="id_card")
        assert shared.source == "shared"
        assert sorted(case.materials.filter(source="submitted").values_list("code", flat=True)) == [
            "bank_card",
            "hukou",
            "photo",
        ]
        event = case.events.get()
        assert (event.action, event.from_status, event.to_status) == (
            "accepted",
            "submitted",
            "in_review",
        )
        assert event.actor_name == "dazhi_clerk" and event.org_unit_code
        message = OutboxMessage.objects.get(dedupe_key=f"case:{case.case_no}:{event.pk}")
        assert message.body == (
            f"【便民服务】您申请的高龄津贴申领已受理，受理编号{case.case_no}，"
            "承诺2026年10月12日前办结。"
        )
        assert message.recipient_person_id == applicant.person.pk
        assert message.recipient_address == "13812345678"

    def test_incomplete_application_is_returned_with_the_notice(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        result = intake.take_in(
            actor=as_actor(dazhi_clerk),
            item=elderly_item,
            applicant=applicant,
            provided=["hukou"],
            channel=IntakeChannel.WINDOW,
        )
        case = result.case
        assert case.status == CaseStatus.RETURNED and case.due_date is None
        assert codes(result.precheck.missing) == ["photo", "bank_card"]
        pause = ClockPause.objects.get(case=case)
        assert pause.kind == "supplement" and pause.counts is False  # no time limit yet
        event = case.events.get()
        assert [m["code"] for m in event.data["notice"]["missing"]] == ["photo", "bank_card"]
        body = OutboxMessage.objects.get(dedupe_key=f"case:{case.case_no}:{event.pk}").body
        assert "需补正以下材料：近期免冠一寸照片、本人银行卡（存折）" in body

    def test_supplement_then_acceptance_counts_from_the_acceptance_day(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        actor = as_actor(dazhi_clerk)
        case = intake.take_in(
            actor=actor,
            item=elderly_item,
            applicant=applicant,
            provided=["hukou"],
            channel="window",
        ).case
        clock.set(dt.date(2026, 10, 9))
        still = acceptance.resubmit(actor=actor, case=case, provided=["photo", "bank_card"])
        assert still.complete
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED and case.visit_count == 2
        acceptance.accept(actor=actor, case=case)
        case.refresh_from_db()
        # 10-9 + 5: 10-10 (Sat, 调休), 10-12, 10-13, 10-14, 10-15.
        assert case.accepted_on == dt.date(2026, 10, 9)
        assert case.due_date == dt.date(2026, 10, 15)
        assert case.paused_workdays == 0

    def test_accepting_with_materials_missing_is_refused(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        actor = as_actor(dazhi_clerk)
        case = intake.take_in(
            actor=actor, item=elderly_item, applicant=applicant, provided=[], channel="window"
        ).case
        acceptance.resubmit(actor=actor, case=case, provided=["hukou"])
        with pytest.raises(ValidationError) as caught:
            acceptance.accept(actor=actor, case=case)
        assert caught.value.code == "materials_missing"
        assert "近期免冠一寸照片、本人银行卡（存折）" in caught.value.messages[0]

    def test_refuse_acceptance_needs_a_reason(self, clock, dazhi_clerk, applicant, elderly_item):
        actor = as_actor(dazhi_clerk)
        case = intake.take_in(
            actor=actor, item=elderly_item, applicant=applicant, provided=[], channel="window"
        ).case
        with pytest.raises(ValidationError):
            acceptance.refuse_acceptance(actor=actor, case=case, reason=" ")
        acceptance.refuse_acceptance(actor=actor, case=case, reason="申请人已在外省领取同类津贴")
        case.refresh_from_db()
        assert case.status == CaseStatus.NOT_ACCEPTED and case.paused_since is None
        assert ClockPause.objects.get(case=case).ended_on == dt.date(2026, 9, 29)
        body = OutboxMessage.objects.filter(related_id=case.case_no).latest("id").body
        assert body.endswith("不予受理，原因：申请人已在外省领取同类津贴。")


class TestDeficiency:
    def test_non_essential_missing_with_a_pledge_is_accepted(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        result = intake.take_in(
            actor=as_actor(dazhi_clerk),
            item=elderly_item,
            applicant=applicant,
            provided=["hukou"],
            channel="window",
            pledge=PledgeInput(("photo", "bank_card"), dt.date(2026, 10, 9)),
        )
        case = result.case
        assert result.accepted and case.due_date == dt.date(2026, 10, 12)
        pledge = DeficiencyPledge.objects.get(case=case)
        assert [m["code"] for m in pledge.materials] == ["photo", "bank_card"]
        assert pledge.is_overdue(dt.date(2026, 10, 12)) and not pledge.is_overdue(clock.today)
        body = OutboxMessage.objects.get(related_id=case.case_no).body
        assert body.endswith(
            "请按承诺于2026年10月9日前补交：近期免冠一寸照片、本人银行卡（存折）。"
        )

    def test_essential_material_cannot_be_pledged(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        with pytest.raises(ValidationError) as caught:
            intake.take_in(
                actor=as_actor(dazhi_clerk),
                item=elderly_item,
                applicant=applicant,
                provided=["photo", "bank_card"],
                channel="window",
                pledge=PledgeInput(("hukou",), dt.date(2026, 10, 9)),
            )
        assert caught.value.error_dict["pledge"][0].code == "essential_material_missing"

    def test_item_without_deficiency_acceptance(self, clock, dazhi_clerk, applicant):
        item = builders.item("MZ-GLJT-002", allows_deficiency=False)
        with pytest.raises(ValidationError) as caught:
            intake.take_in(
                actor=as_actor(dazhi_clerk),
                item=item,
                applicant=applicant,
                provided=["hukou"],
                channel="window",
                pledge=PledgeInput(("photo", "bank_card"), dt.date(2026, 10, 9)),
            )
        assert caught.value.error_dict["pledge"][0].code == "deficiency_not_allowed"

    def test_pledge_fulfilled_when_the_last_material_arrives(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        actor = as_actor(dazhi_clerk)
        case = intake.take_in(
            actor=actor,
            item=elderly_item,
            applicant=applicant,
            provided=["hukou"],
            channel="window",
            pledge=PledgeInput(("photo", "bank_card"), dt.date(2026, 10, 9)),
        ).case
        pledge = acceptance.fulfil_pledge(actor=actor, case=case, provided=["photo"])
        assert pledge.fulfilled_at is None
        pledge = acceptance.fulfil_pledge(actor=actor, case=case, provided=["bank_card"])
        assert pledge.fulfilled_at is not None
        assert case.events.filter(action="pledge_fulfilled").count() == 1
        with pytest.raises(ValidationError) as caught:
            acceptance.fulfil_pledge(actor=actor, case=case, provided=["photo"])
        assert caught.value.code == "no_open_pledge"


class TestWhereAndHow:
    def test_item_not_acceptable_at_a_street_centre(self, dazhi_clerk, applicant):
        city_only = builders.item("RS-YLBX-001", name="城乡居民养老保险待遇申领", levels=("city",))
        with pytest.raises(ValidationError) as caught:
            intake.take_in(
                actor=as_actor(dazhi_clerk),
                item=city_only,
                applicant=applicant,
                provided=builders.COMPLETE,
                channel="window",
            )
        assert caught.value.code == "item_not_acceptable_here"
        assert "街道（乡镇）便民服务中心" in caught.value.messages[0]

    def test_retired_version_is_not_current(self, dazhi_clerk, applicant, elderly_item):
        elderly_item.is_current = False
        elderly_item.save()
        with pytest.raises(ValidationError) as caught:
            intake.take_in(
                actor=as_actor(dazhi_clerk),
                item=elderly_item,
                applicant=applicant,
                provided=builders.COMPLETE,
                channel="window",
            )
        assert caught.value.code == "item_not_current"
        with pytest.raises(ValidationError) as caught:
            intake.resolve_item("MZ-GLJT-001")
        assert caught.value.error_dict["item_code"][0].code == "unknown_item"

    def test_village_agent_applies_on_the_residents_behalf(
        self, clock, baocheng_agent, applicant, elderly_item
    ):
        consent = AgentConsent(method="sms", at=dt.datetime(2026, 9, 28, 19, 5, tzinfo=dt.UTC))
        case = intake.take_in(
            actor=as_actor(baocheng_agent),
            item=elderly_item,
            applicant=applicant,
            provided=builders.COMPLETE,
            channel="agent",
            agent_consent=consent,
        ).case
        assert case.channel == "agent" and case.agent == baocheng_agent.staff
        assert case.consent_method == "sms" and case.consent_at == consent.at
        assert case.visit_count == 0  # the resident did not travel
        keys = set(
            OutboxMessage.objects.filter(related_id=case.case_no).values_list(
                "dedupe_key", "channel"
            )
        )
        event = case.events.get()
        assert keys == {
            (f"case:{case.case_no}:{event.pk}", "sms"),
            (f"case:{case.case_no}:{event.pk}:agent", "in_app"),
        }

    def test_agent_needs_the_residents_consent(self, baocheng_agent, applicant, elderly_item):
        with pytest.raises(ValidationError) as caught:
            intake.take_in(
                actor=as_actor(baocheng_agent),
                item=elderly_item,
                applicant=applicant,
                provided=builders.COMPLETE,
                channel="agent",
            )
        assert caught.value.error_dict["agent_consent"][0].code == "agent_consent_required"

    def test_village_level_only_through_an_agent(self, baocheng_agent, applicant, elderly_item):
        with pytest.raises(PermissionDenied):
            intake.take_in(
                actor=as_actor(baocheng_agent),
                item=elderly_item,
                applicant=applicant,
                provided=builders.COMPLETE,
                channel="window",
            )
        town_only = builders.item("MZ-GLJT-003", levels=("town",))
        with pytest.raises(ValidationError) as caught:
            intake.take_in(
                actor=as_actor(baocheng_agent),
                item=town_only,
                applicant=applicant,
                provided=builders.COMPLETE,
                channel="agent",
                agent_consent=AgentConsent("written", dt.datetime(2026, 9, 1, tzinfo=dt.UTC)),
            )
        assert caught.value.code == "item_not_acceptable_here"

    def test_reviewer_window_only_for_own_department(self, rs_reviewer, applicant, elderly_item):
        with pytest.raises(PermissionDenied):
            intake.take_in(
                actor=as_actor(rs_reviewer),
                item=elderly_item,
                applicant=applicant,
                provided=builders.COMPLETE,
                channel="window",
            )

    def test_online_application_waits_for_a_clerk_of_the_applicants_street(
        self, clock, dazhi_clerk, resident, applicant, elderly_item, django_user_model
    ):
        portal_user = django_user_model.objects.create_user("resident_wang")
        from bianmin.core.audit import Actor

        result = intake.take_in(
            actor=Actor(user_id=portal_user.pk, name="王秀英"),
            item=elderly_item,
            applicant=applicant,
            provided=[{"code": c, "form": "electronic"} for c in builders.COMPLETE],
            channel="online",
        )
        case = result.case
        assert case.status == CaseStatus.SUBMITTED and case.submitted_by_user == portal_user
        assert case.area_code == "420102002" and case.org_unit is None
        assert case.events.get().action == "submitted"
        acceptance.accept(actor=as_actor(dazhi_clerk), case=case)
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_REVIEW
        assert case.org_unit == dazhi_clerk.staff.org_unit and case.visit_count == 0
        keys = OutboxMessage.objects.filter(related_id=case.case_no).values_list(
            "dedupe_key", flat=True
        )
        assert sum(k.endswith(":user") for k in keys) == 2  # the portal account gets both

    def test_online_only_for_online_items(self, applicant):
        offline = builders.item("MZ-GLJT-004", online=False)
        from bianmin.core.audit import Actor

        with pytest.raises(ValidationError) as caught:
            intake.take_in(
                actor=Actor(name="portal"),
                item=offline,
                applicant=applicant,
                provided=[],
                channel="online",
            )
        assert caught.value.code == "item_not_online"


class TestProvisionalDueDate:
    def test_limit_running_into_an_uncovered_year_is_provisional(
        self, clock, dazhi_clerk, applicant
    ):
        item = builders.item("MZ-GLJT-020", promised=20)
        clock.set(dt.date(2026, 12, 21))
        case = intake.take_in(
            actor=as_actor(dazhi_clerk),
            item=item,
            applicant=applicant,
            provided=builders.COMPLETE,
            channel="window",
        ).case
        # 12-22…12-25 (4), 12-28…12-31 (8); 2027 has no holiday notice yet, so Monday–Friday
        # is guessed: 1-1 (9), 1-4…1-8 (14), 1-11…1-15 (19), 1-18 (20).
        assert case.due_date == dt.date(2027, 1, 18)
        assert case.due_provisional is True
        body = OutboxMessage.objects.get(related_id=case.case_no).body
        assert "以最终安排为准" in body


class TestBundle:
    def test_one_application_one_case_per_item_one_notice(
        self, clock, dazhi_clerk, applicant, elderly_item, disability_item
    ):
        combo = builders.bundle(
            "LB-LNR-001", [elderly_item, disability_item], name="老年人福利一件事"
        )
        bundle, items = bundles.resolve_bundle("LB-LNR-001")
        result = bundles.take_in_bundle(
            actor=as_actor(dazhi_clerk),
            bundle=bundle,
            items=items,
            applicant=applicant,
            provided=builders.COMPLETE,
            channel="window",
        )
        assert result.application.bundle == combo
        cases = result.cases
        assert [c.item.code for c in cases] == ["MZ-GLJT-001", "MZ-CJBT-001"]
        assert all(c.bundle_application == result.application for c in cases)
        # Each item keeps its own limit: 5 → 10-12; 15 → 9-30, 10-8, 10-9, 10-10 (调休),
        # 10-12…10-16, 10-19…10-23 (14), 10-26 (15).
        assert [c.due_date for c in cases] == [dt.date(2026, 10, 12), dt.date(2026, 10, 26)]
        messages = OutboxMessage.objects.filter(related_id__in=[c.case_no for c in cases])
        assert [m.dedupe_key for m in messages] == [
            f"bundle:{result.application.bundle_no}:accepted"
        ]
        assert "老年人福利一件事已受理" in messages[0].body and cases[1].case_no in messages[0].body
        assert CaseEvent.objects.filter(case__in=cases, action="accepted").count() == 2

    def test_bundle_returned_together_with_one_merged_notice(
        self, clock, dazhi_clerk, applicant, elderly_item, disability_item
    ):
        builders.bundle("LB-LNR-002", [elderly_item, disability_item])
        bundle, items = bundles.resolve_bundle("LB-LNR-002")
        result = bundles.take_in_bundle(
            actor=as_actor(dazhi_clerk),
            bundle=bundle,
            items=items,
            applicant=applicant,
            provided=["hukou", "bank_card"],
            channel="window",
        )
        assert {c.status for c in result.cases} == {CaseStatus.RETURNED}
        message = OutboxMessage.objects.get(dedupe_key__startswith="bundle:")
        assert message.body.count("近期免冠一寸照片") == 1  # asked once for both items


def test_district_reviewer_sees_nothing_to_accept_outside_their_level(mz_reviewer, applicant):
    # A district 民政 window may take its own items at district level.
    item = builders.item("MZ-GLJT-005", levels=("district",))
    case = intake.take_in(
        actor=as_actor(mz_reviewer),
        item=item,
        applicant=applicant,
        provided=builders.COMPLETE,
        channel="window",
    ).case
    assert case.area_code == JIANGAN and case.status == CaseStatus.IN_REVIEW


class TestOrganisationApplicant:
    def test_enterprise_applies_by_credit_code(self, clock, db):
        from tests import factories

        clerk = factories.staff("jiangan_clerk", role="clerk", division=JIANGAN)
        code = make_credit_code("92", "420102", "MA4K3L8Q2")
        org = create_organisation(
            actor=as_actor(clerk),
            credit_code=code,
            name="武汉市江岸区王记热干面馆",
            division="420102002003",
            phone="02782801111",
        )
        item = builders.item(
            "SCJG-SPJY-001",
            name="食品经营许可（仅销售预包装食品备案）",
            department="SCJG",
            applicant_kind="organisation",
            levels=("district",),
            reviews=(("SCJG", 1),),
            materials=[
                ("licence", "营业执照", "original", "mandatory", True, "business_license", ""),
                ("layout", "经营场所平面图", "copy", "mandatory", True, "", ""),
            ],
        )
        applicant = intake.identify_applicant(actor=as_actor(clerk), credit_code=code.lower())
        assert applicant.organisation == org and applicant.masked_id == code
        # Without an e-licence in the library the 营业执照 is asked for, with the reason.
        returned = intake.take_in(
            actor=as_actor(clerk),
            item=item,
            applicant=applicant,
            provided=["layout"],
            channel="window",
        )
        assert returned.case.status == CaseStatus.RETURNED
        [missing] = returned.precheck.missing
        assert missing.reason == "未能通过数据共享获取（电子证照库中无有效证照），须提交原件"
        licence = issue_certificate(
            actor=as_actor(clerk),
            type_code="business_license",
            holder=org,
            issuer=make_issuer("SCJG", body9="044444442"),
            data={
                "entity_type": "个体工商户",
                "legal_rep": "王建华",
                "established": "2018-04-16",
                "address": "武汉市江岸区保成路12号",
            },
            issued_on=dt.date(2018, 4, 16),
        )
        case = intake.take_in(
            actor=as_actor(clerk),
            item=item,
            applicant=applicant,
            provided=["layout"],
            channel="window",
        ).case
        assert case.applicant_type == "organisation" and case.status == CaseStatus.IN_REVIEW
        assert case.materials.get(code="licence").source == "shared"  # the e-licence
        assert case.shared_materials.get(code="licence").certificate_identifier == (
            licence.identifier
        )
        message = OutboxMessage.objects.get(related_id=case.case_no)
        assert message.recipient_address == "02782801111" and message.recipient_person is None
        # A person cannot file an organisation's item.
        with pytest.raises(ValidationError) as caught:
            intake.take_in(
                actor=as_actor(clerk),
                item=item,
                applicant=Applicant(person=factories.person(community="420102002003")),
                provided=["layout"],
                channel="window",
            )
        assert caught.value.code == "applicant_kind_mismatch"
