"""A department reviewer in a real browser: sign in, open 我的待办, open the case, approve the
review and decide it; then a supervisor's 电子监察 and the case search, for a look at them.
Screenshots go to /tmp."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from bianmin.cases.models import Case, CaseStatus, ReviewStatus, WarningLevel
from bianmin.cases.services import intake
from bianmin.cases.services.precheck import Applicant
from bianmin.catalog.demo import load_demo_catalog
from bianmin.registry.access import actor_for
from tests import factories
from tests.browser.conftest import shoot
from tests.browser.test_clerk import sign_in
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def in_review(sharing_arranged):
    """Two 临时救助 cases accepted at 大智街道, waiting for 民政's review; one is overdue."""
    load_demo_catalog()
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    factories.staff("mz_reviewer", role="reviewer", division=JIANGAN, department="MZ")
    factories.staff("city_supervisor", role="supervisor", division="420100")
    cases = []
    for name, birth in (("陈志强", dt.date(1968, 2, 9)), ("周美玲", dt.date(1979, 11, 23))):
        person = factories.person(community=BAOCHENG, name=name, birth=birth)
        cases.append(
            intake.take_in(
                actor=actor_for(clerk),
                item=intake.resolve_item("MZ-003"),
                applicant=Applicant(person=person),
                provided=["application", "hardship", "hukou"],  # no 户籍 record: the booklet
                channel="window",
            ).case
        )
    Case.unscoped.filter(pk=cases[1].pk).update(warning_level=WarningLevel.RED)
    return cases


def test_reviewer_approves_the_review_and_decides(page, in_review):
    case = in_review[0]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, "mz_reviewer")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的待办").click()
    page.wait_for_url("**/counter/work/")
    reviews = page.get_by_test_id("my-reviews")
    expect(reviews.get_by_role("link")).to_have_count(2)
    shoot(page, "counter-my-work")
    reviews.get_by_role("link", name=case.case_no).click()

    page.wait_for_url(f"**/counter/cases/{case.case_no}/")
    expect(page.get_by_test_id("case-status")).to_have_text("审查中")
    shoot(page, "counter-case-reviewer")
    actions = page.get_by_test_id("actions")
    actions.get_by_label("审查通过").check()
    actions.get_by_label("审查意见").fill("经入户调查，情况属实")
    actions.get_by_role("button", name="提交审查意见").click()
    expect(page.get_by_role("status")).to_contain_text("审查意见已提交")
    assert case.reviews.get().status == ReviewStatus.APPROVED

    # All reviews done: the decision.
    actions = page.get_by_test_id("actions")
    actions.get_by_label("准予").check()
    actions.get_by_label("决定理由").fill("符合临时救助条件，给予一次性救助")
    actions.get_by_role("button", name="作出决定").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已作出决定")
    case.refresh_from_db()
    assert (case.status, case.decision) == (CaseStatus.DECIDED, "approved")
    expect(page.get_by_test_id("history")).to_contain_text("经入户调查，情况属实")
    shoot(page, "counter-case-decided")
    assert not errors, errors


def test_supervisor_and_case_search_pages(page, in_review):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    sign_in(page, "city_supervisor")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="监察总览").click()
    page.wait_for_url("**/counter/supervision/")
    expect(page.get_by_test_id("red-count")).to_have_text("1")
    shoot(page, "counter-supervision")
    nav.get_by_role("link", name="红灯超期").click()
    expect(page.get_by_role("link", name=in_review[1].case_no)).to_be_visible()
    nav.get_by_role("link", name="办件查询").click()
    page.get_by_label("办件编号 / 申请人 / 证件号后4位").fill("周美玲")
    results = page.locator("#results")
    expect(results.locator("tbody").get_by_role("link")).to_have_count(1)
    shoot(page, "counter-case-search")
    assert not errors, errors
