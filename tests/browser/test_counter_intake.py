"""A window clerk's intake in a real browser: sign in, type the applicant's ID number, check
the person, pick the item, tick the materials and watch the live precheck name what is
missing, tell the applicant once (一次性告知书), take the supplement in and accept — the
受理通知书 shows the case number and the due date. Screenshots of each page go to /tmp."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from bianmin.cases.models import Case, CaseStatus
from bianmin.catalog.demo import load_demo_catalog
from bianmin.core import crypto
from tests import factories
from tests.browser.conftest import shoot
from tests.browser.test_clerk import sign_in
from tests.conftest import BAOCHENG, DAZHI_STREET
from tests.counter.conftest import registered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counter(sharing_arranged):
    load_demo_catalog()
    factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    number = factories.id_number(birth=dt.date(1951, 7, 14), male=False)
    person = factories.person(
        community=BAOCHENG,
        name="刘桂芳",
        birth=dt.date(1951, 7, 14),
        male=False,
        id_number=number,
        grid=factories.grid(BAOCHENG, 1).code,
        residence_address="保成路26号3单元502",
    )
    # On the household register: 民政 reads her 户籍 through sharing.
    return registered(person, number, "420102002003026", BAOCHENG), number


def test_clerk_takes_an_application_in_and_prints_the_notices(page, counter):
    person, number = counter
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, "dazhi_clerk")

    # Step 1: the ID number, typed (or read from the card) into one box.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="综合受理").click()
    page.wait_for_url("**/counter/intake/")
    shoot(page, "counter-intake-start")
    page.get_by_label("身份证号码 / 统一社会信用代码").fill(number)
    page.get_by_role("button", name="读取").click()

    # Step 2 and 3: the person, masked; the items this street centre takes in.
    page.wait_for_url("**/counter/intake/applicant/")
    assert number not in page.url and crypto.decrypt(person.id_cipher) not in page.content()
    panel = page.get_by_test_id("applicant-panel")
    expect(panel).to_contain_text("刘桂芳")
    expect(panel).to_contain_text(person.id_masked)
    expect(panel).to_contain_text("保成路26号3单元502")
    page.get_by_label("查找事项").fill("临时救助")
    items = page.get_by_test_id("item-list")
    expect(items.get_by_role("link")).to_have_count(1)
    shoot(page, "counter-intake-applicant")
    items.get_by_role("link", name="临时救助申请").click()

    # Step 4: the checklist. Shared materials are fetched, not asked for.
    page.wait_for_url("**/counter/intake/item/MZ-003/")
    precheck = page.get_by_test_id("precheck")
    expect(precheck.get_by_test_id("missing")).to_contain_text("临时救助申请书")
    expect(precheck).to_contain_text("通过数据共享获取，无需提交")
    page.get_by_role("checkbox", name="临时救助申请书").check()
    # The live precheck answers without a page load: one material is still missing.
    expect(precheck.get_by_test_id("missing")).not_to_contain_text("临时救助申请书")
    expect(precheck.get_by_test_id("missing")).to_contain_text("遭遇困难的相关证明")
    expect(page.get_by_role("button", name="受理，出具受理通知书")).to_be_disabled()
    shoot(page, "counter-intake-checklist")

    # The applicant is told everything missing, once, in writing; the clock stops.
    page.get_by_role("button", name="告知补正，出具一次性告知书").click()
    page.wait_for_url("**/notice/supplement/")
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("补正材料一次性告知书")
    expect(notice).to_contain_text("遭遇困难的相关证明")
    case = Case.objects.get()
    assert case.status == CaseStatus.RETURNED
    shoot(page, "counter-notice-supplement")
    page.emulate_media(media="print")
    shoot(page, "counter-notice-supplement-print")
    page.emulate_media(media="screen")

    # The applicant comes back with it: the clerk takes it in and accepts.
    page.get_by_role("link", name="查看办件").click()
    page.wait_for_url(f"**/counter/cases/{case.case_no}/")
    page.get_by_test_id("resubmit-list").get_by_label("遭遇困难的相关证明").check()
    page.get_by_role("button", name="接收补正材料").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已申报，待预审")
    shoot(page, "counter-case-clerk")
    page.get_by_role("button", name="受理", exact=True).click()

    page.wait_for_url("**/notice/acceptance/")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW and case.due_date is not None
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("受理通知书")
    expect(page.get_by_test_id("notice-case-no")).to_have_text(case.case_no)
    due = f"{case.due_date.year}年{case.due_date.month}月{case.due_date.day}日"
    expect(page.get_by_test_id("due-date")).to_have_text(due)
    shoot(page, "counter-notice-acceptance")
    page.emulate_media(media="print")
    shoot(page, "counter-notice-acceptance-print")
    assert not errors, errors
