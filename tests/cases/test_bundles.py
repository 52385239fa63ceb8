"""多证联办 as one application: refused, returned, resubmitted and accepted as a whole with one
notice; the items' conditional materials confirmed once and asked once; one result listing
each item's outcome when an item is denied and another approved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bianmin.cases.models import CaseStatus
from bianmin.cases.services import acceptance, bundle_acts, bundles, handling
from bianmin.notifications.models import OutboxMessage
from tests import factories
from tests.apiclient import api_as
from tests.cases import builders
from tests.cases.conftest import as_actor
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db
COMBO = "LB-LNR-001"


@pytest.fixture
def combo(elderly_item, disability_item):
    builders.bundle(COMBO, [elderly_item, disability_item], name="老年人福利一件事")
    return bundles.resolve_bundle(COMBO)


def take(clerk, applicant, combo, provided=builders.COMPLETE, **kw):
    bundle, items = combo
    return bundles.take_in_bundle(
        actor=as_actor(clerk),
        bundle=bundle,
        items=items,
        applicant=applicant,
        provided=provided,
        channel="window",
        **kw,
    )


def statuses(result) -> set[str]:
    return {c.status for c in result.application.cases.all()}


def bundle_messages(bundle_no: str) -> list[str]:
    rows = OutboxMessage.objects.filter(dedupe_key__startswith=f"bundle:{bundle_no}:")
    return [m.dedupe_key.split(":")[2] for m in rows.order_by("id") if m.channel == "sms"]


class TestRefusedAsAWhole:
    def test_at_the_window_every_item_is_refused_with_each_ones_problems(
        self, clock, dazhi_clerk, elderly_item
    ):
        # 王秀英's neighbour is 66: the second item is for 80 and over.
        young = factories.person(community=BAOCHENG, name="陈桂芳", birth=clock.today.replace(1960))
        from bianmin.cases.services.precheck import Applicant

        older_only = builders.item("MZ-GLJT-002", name="高龄老人优待", eligible_min_age=80)
        builders.bundle("LB-LNR-002", [elderly_item, older_only], name="老年人福利一件事")
        bundle, items = bundles.resolve_bundle("LB-LNR-002")
        applicant = Applicant(person=young)
        with pytest.raises(ValidationError) as caught:
            bundles.take_in_bundle(
                actor=as_actor(dazhi_clerk),
                bundle=bundle,
                items=items,
                applicant=applicant,
                provided=builders.COMPLETE,
                channel="window",
            )
        assert caught.value.code == "applicant_not_eligible"
        assert "高龄老人优待：申请人未满80周岁" in caught.value.messages[0]
        refused = bundles.refuse_bundle_at_intake(
            actor=as_actor(dazhi_clerk),
            bundle=bundle,
            items=items,
            applicant=applicant,
            provided=builders.COMPLETE,
            channel="window",
            reason="申请人不符合高龄老人优待的年龄条件",
        )
        assert statuses(refused) == {CaseStatus.NOT_ACCEPTED}
        assert all(c.visit_count == 1 and c.closed_on for c in refused.cases)
        no = refused.application.bundle_no
        assert bundle_messages(no) == ["not_accepted"]
        # One notice: the reason and each item's own problem.
        client = Client()
        client.force_login(dazhi_clerk)
        html = client.get(f"/counter/bundles/{no}/notice/").content.decode()
        assert "联办不予受理通知书" in html and "申请人不符合高龄老人优待的年龄条件" in html
        assert "高龄老人优待：申请人未满80周岁" in html

    def test_a_waiting_bundle_is_refused_whole(self, clock, dazhi_clerk, applicant, combo):
        result = take(dazhi_clerk, applicant, combo, provided=["hukou"])
        assert statuses(result) == {CaseStatus.RETURNED}
        with pytest.raises(ValidationError) as caught:
            acceptance.refuse_acceptance(
                actor=as_actor(dazhi_clerk), case=result.cases[0], reason="非本机关职权"
            )
        assert caught.value.code == "bundle_as_whole"
        bundle_acts.refuse_bundle(
            actor=as_actor(dazhi_clerk), application=result.application, reason="申请人撤回"
        )
        assert statuses(result) == {CaseStatus.NOT_ACCEPTED}
        assert bundle_messages(result.application.bundle_no) == ["returned", "not_accepted"]


class TestReturnedAsAWhole:
    def test_supplement_then_acceptance_for_every_item_at_once(
        self, clock, dazhi_clerk, applicant, combo
    ):
        result = take(dazhi_clerk, applicant, combo, provided=["hukou", "bank_card"])
        no = result.application.bundle_no
        assert statuses(result) == {CaseStatus.RETURNED}
        assert [c.code for c in result.merged.missing] == ["photo"]  # asked once for both
        assert result.merged.needed_by("photo") == [c.item.name for c in result.cases]
        # Not item by item:
        for act in (
            lambda c: acceptance.resubmit(actor=as_actor(dazhi_clerk), case=c, provided=["photo"]),
            lambda c: acceptance.accept(actor=as_actor(dazhi_clerk), case=c),
        ):
            with pytest.raises(ValidationError) as caught:
                act(result.cases[0])
            assert caught.value.code == "bundle_as_whole"
        bundle_acts.resubmit_bundle(actor=as_actor(dazhi_clerk), application=no, provided=["photo"])
        assert statuses(result) == {CaseStatus.SUBMITTED}
        cases = bundle_acts.accept_bundle(actor=as_actor(dazhi_clerk), application=no)
        assert {c.status for c in cases} == {CaseStatus.IN_REVIEW}
        assert all(c.visit_count == 2 for c in cases)  # the supplement was a second visit
        assert bundle_messages(no) == ["returned", "resubmitted", "accepted"]

    def test_acceptance_refused_whole_while_any_item_misses_then_one_notice(
        self, clock, dazhi_clerk, applicant, combo
    ):
        result = take(dazhi_clerk, applicant, combo, provided=["hukou"])
        no = result.application.bundle_no
        bundle_acts.resubmit_bundle(actor=as_actor(dazhi_clerk), application=no, provided=["photo"])
        with pytest.raises(ValidationError) as caught:
            bundle_acts.accept_bundle(actor=as_actor(dazhi_clerk), application=no)
        assert caught.value.code == "materials_missing" and "本人银行卡" in caught.value.messages[0]
        assert statuses(result) == {CaseStatus.SUBMITTED}  # nothing accepted
        merged = bundle_acts.return_bundle(actor=as_actor(dazhi_clerk), application=no)
        assert [c.code for c in merged.missing] == ["bank_card"]
        assert statuses(result) == {CaseStatus.RETURNED}
        body = OutboxMessage.objects.filter(dedupe_key__startswith=f"bundle:{no}:returned:").get(
            channel="sms"
        )
        assert body.body.count("本人银行卡") == 1

    def test_an_item_with_nothing_missing_waits_with_the_others(
        self, clock, dazhi_clerk, applicant, elderly_item
    ):
        extra = builders.item(
            "MZ-YLBZ-001",
            name="居家养老服务补贴",
            materials=[
                *builders.ELDERLY_MATERIALS,
                ("care", "居家养老服务评估表", "original", "mandatory", True, "", ""),
            ],
        )
        builders.bundle("LB-LNR-003", [elderly_item, extra], name="居家养老一件事")
        result = take(dazhi_clerk, applicant, bundles.resolve_bundle("LB-LNR-003"))
        assert statuses(result) == {CaseStatus.RETURNED}
        first = result.cases[0].events.get(action="returned")
        assert "随联办申请一并补正" in first.reason
        client = Client()
        client.force_login(dazhi_clerk)
        html = client.get(f"/counter/bundles/{result.application.bundle_no}/notice/")
        text = html.content.decode()
        assert "居家养老服务评估表" in text and "随联办申请一并补正" not in text


class TestConditionalMaterials:
    def test_confirmed_once_for_every_item_and_asked_once(
        self, clock, dazhi_clerk, applicant, combo
    ):
        # Both items list 监护关系证明 (由监护人代为申请的): the clerk confirms it once.
        result = take(dazhi_clerk, applicant, combo, applicable=["guardian"])
        assert statuses(result) == {CaseStatus.RETURNED}
        merged = result.merged
        assert [c.code for c in merged.missing] == ["guardian"]
        assert merged.needed_by("guardian") == [c.item.name for c in result.cases]
        assert merged.conditional == []
        assert "属于“由监护人代为申请的”情形" in merged.missing[0].reason
        body = OutboxMessage.objects.get(dedupe_key__startswith="bundle:", channel="sms").body
        assert body.count("监护关系证明") == 1

    def test_unconfirmed_is_listed_once_and_does_not_block(
        self, clock, dazhi_clerk, applicant, combo
    ):
        result = take(dazhi_clerk, applicant, combo)
        assert statuses(result) == {CaseStatus.IN_REVIEW}
        assert [c.code for c in result.merged.conditional] == ["guardian"]

    def test_the_api_confirms_conditions_for_a_bundle_too(
        self, clock, dazhi_clerk, resident, combo
    ):
        client = api_as(dazhi_clerk)
        body = {
            "bundle_code": COMBO,
            "applicant_id_number": resident.id_number_for_test,
            "channel": "window",
            "materials": builders.COMPLETE,
            "applicable": ["guardian"],
        }
        checked = client.post("/api/v1/cases/precheck/", body, format="json").json()
        assert [m["code"] for m in checked["missing_materials"]] == ["guardian"]
        assert checked["conditional_materials"] == []
        r = client.post("/api/v1/cases/", body, format="json")
        assert r.status_code == 201 and r.json()["status"] == "returned"
        assert [m["code"] for m in r.json()["missing_materials"]] == ["guardian"]


class TestOneResult:
    def test_an_item_denied_the_other_approved_one_result_lists_both(
        self, clock, dazhi_clerk, applicant, combo, mz_reviewer, cl_reviewer
    ):
        result = take(dazhi_clerk, applicant, combo)
        elderly, disability = result.cases
        for case in (elderly, disability):
            for review in case.reviews.all():
                reviewer = cl_reviewer if review.department_id == "CL" else mz_reviewer
                handling.act_on_review(
                    actor=as_actor(reviewer), review=review, decision="approve", opinion="同意"
                )
        handling.decide(actor=as_actor(mz_reviewer), case=elderly, approve=True)
        no = result.application.bundle_no
        assert "finished" not in bundle_messages(no)  # one item still open
        handling.decide(
            actor=as_actor(mz_reviewer),
            case=disability,
            approve=False,
            reasons="未达到重度残疾护理补贴的等级条件",
        )
        assert bundle_messages(no) == ["accepted", "finished"]
        body = OutboxMessage.objects.get(dedupe_key=f"bundle:{no}:finished", channel="sms").body
        assert "高龄津贴申领准予" in body
        assert "不予批准（未达到重度残疾护理补贴的等级条件）" in body and "行政复议" in body
        client = Client()
        client.force_login(dazhi_clerk)
        html = client.get(f"/counter/bundles/{no}/notice/").content.decode()
        assert "联办办理结果通知书" in html and "不予批准：未达到重度残疾护理补贴的等级条件" in html


def test_the_api_acts_on_the_whole_application_through_any_of_its_cases(
    clock, dazhi_clerk, applicant, combo
):
    result = take(dazhi_clerk, applicant, combo, provided=["hukou", "bank_card"])
    client = api_as(dazhi_clerk)
    first, second = (c.case_no for c in result.cases)
    r = client.post(f"/api/v1/cases/{second}/resubmit/", {"materials": ["photo"]}, format="json")
    assert r.status_code == 200, r.data
    assert statuses(result) == {CaseStatus.SUBMITTED}
    r = client.post(f"/api/v1/cases/{first}/accept/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    assert statuses(result) == {CaseStatus.IN_REVIEW}
