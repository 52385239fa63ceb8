"""Every counter page opens in a real browser without a script error or a failed request:
the clerk's work list, a bundle's checklist and notice, the refusal and pledge notices, a
village agent's checklist with the consent box, the supervisors' lists. One screenshot per
page goes to /tmp (BIANMIN_SCREENSHOTS) for a human look at the design."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bianmin.cases.models import Case, WarningLevel
from bianmin.cases.services import bundles, deadlines, intake
from bianmin.cases.services.pledges import PledgeInput
from bianmin.cases.services.precheck import Applicant
from bianmin.cases.services.refusal import refuse_at_intake
from bianmin.catalog.demo import load_demo_catalog
from bianmin.registry.access import actor_for
from tests import factories
from tests.browser.conftest import shoot
from tests.browser.test_clerk import sign_in
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN
from tests.counter.conftest import registered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(sharing_arranged):
    load_demo_catalog()
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    factories.staff("baocheng_agent", role="agent", division=BAOCHENG)
    reviewer = factories.staff("mz_reviewer", role="reviewer", division=JIANGAN, department="MZ")
    factories.staff("city_supervisor", role="supervisor", division="420100")
    number = factories.id_number(birth=dt.date(1940, 5, 1), male=True)
    person = factories.person(
        community=BAOCHENG, name="黄建华", birth=dt.date(1940, 5, 1), id_number=number
    )
    person = registered(person, number, "420102002003040", BAOCHENG)
    actor, applicant = actor_for(clerk), Applicant(person=person)
    item = intake.resolve_item("MZ-003")
    returned = intake.take_in(
        actor=actor, item=item, applicant=applicant, provided=[], channel="window"
    ).case
    pledged = intake.take_in(
        actor=actor,
        item=item,
        applicant=applicant,
        provided=["application"],
        channel="window",
        pledge=PledgeInput(("hardship",), timezone.localdate() + dt.timedelta(days=7)),
    ).case
    refused = refuse_at_intake(
        actor=actor,
        item=intake.resolve_item("MZ-004"),
        applicant=applicant,
        provided=[],
        channel="window",
        reason="申请人已在户籍地领取高龄津贴，不得重复申领",
    ).case
    bundle, items = bundles.resolve_bundle("LB-CANYIN")
    joint = bundles.take_in_bundle(
        actor=actor,
        bundle=bundle,
        items=items,
        applicant=applicant,
        provided=["id-card", "application"],
        channel="window",
    ).application
    Case.unscoped.filter(pk=pledged.pk).update(warning_level=WarningLevel.YELLOW)
    deadlines.request_extension(
        actor=actor_for(reviewer), case=pledged, workdays=5, reason="需入户核查家庭经济状况"
    )
    return {
        "number": number,
        "returned": returned,
        "pledged": pledged,
        "refused": refused,
        "bundle_no": joint.bundle_no,
    }


def revoke_hukou_grant() -> None:
    from bianmin.sharing import services
    from bianmin.sharing.models import Grant

    owner = factories.staff("ga_owner", role="reviewer", division="420100", department="GA")
    services.revoke(
        actor=actor_for(owner),
        grant=Grant.objects.get(department_id="MZ", item_id="hukou"),
        reason="授权范围调整",
    )


def visit(page, path: str, name: str, errors: list[str]) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    page.wait_for_load_state("networkidle")
    shoot(page, name)
    assert not errors, errors


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    return errors


def test_clerk_pages(page, desk):
    errors = watch(page)
    sign_in(page, "dazhi_clerk")
    visit(page, "/counter/work/", "counter-work-clerk", errors)
    visit(
        page,
        f"/counter/cases/{desk['refused'].case_no}/notice/refusal/",
        "counter-notice-refusal",
        errors,
    )
    visit(
        page,
        f"/counter/cases/{desk['pledged'].case_no}/notice/pledge/",
        "counter-notice-pledge",
        errors,
    )
    visit(page, f"/counter/bundles/{desk['bundle_no']}/notice/", "counter-notice-bundle", errors)
    # One notice for the bundle: each material once, with the items that need it.
    expect(page.get_by_test_id("notice-missing")).to_contain_text("所需事项")
    visit(page, f"/counter/cases/{desk['returned'].case_no}/", "counter-case-returned", errors)
    page.goto("/counter/intake/")
    page.get_by_label("身份证号码 / 统一社会信用代码").fill(desk["number"])
    page.get_by_role("button", name="读取").click()
    page.wait_for_url("**/counter/intake/applicant/")
    visit(page, "/counter/intake/bundle/LB-CANYIN/", "counter-intake-bundle", errors)
    expect(page.get_by_text("整个联办申请不予受理…")).to_be_visible()
    visit(page, "/counter/intake/item/MZ-004/", "counter-intake-elderly", errors)
    # 公安 withdraws 民政's 户籍 grant: the checklist asks for the booklet at once, with why.
    revoke_hukou_grant()
    visit(page, "/counter/intake/item/MZ-003/", "counter-intake-unfetched", errors)
    expect(page.get_by_test_id("unfetched")).to_contain_text("承办部门未获该数据的共享授权")
    expect(page.get_by_role("checkbox", name="居民户口簿")).to_be_visible()


def test_agent_checklist_asks_for_the_consent(page, desk):
    errors = watch(page)
    sign_in(page, "baocheng_agent")
    page.goto("/counter/intake/")
    page.get_by_label("身份证号码 / 统一社会信用代码").fill(desk["number"])
    page.get_by_role("button", name="读取").click()
    page.wait_for_url("**/counter/intake/applicant/")
    visit(page, "/counter/intake/item/MZ-004/", "counter-intake-agent", errors)
    assert page.get_by_label("委托方式").is_visible()


def test_supervisor_lists(page, desk):
    errors = watch(page)
    sign_in(page, "city_supervisor")
    for kind in ("yellow", "extensions", "visits"):
        visit(page, f"/counter/supervision/{kind}/", f"counter-supervision-{kind}", errors)
