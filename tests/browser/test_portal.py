"""A resident in a real browser: signs in on the portal with phone and password, follows a case
a clerk accepted and a reviewer decided (set up through the services), and rates it. Every page
is also photographed at phone width (390×844) for a person to look at."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.cases.models import Case
from bianmin.cases.services import handling, intake
from bianmin.cases.services.precheck import Applicant
from bianmin.evaluation.models import Rating
from bianmin.portal.services.accounts import open_account
from bianmin.registry.access import actor_for
from bianmin.registry.services.people import access_person
from tests import factories
from tests.browser.conftest import shoot
from tests.cases import builders
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13900001111"
PASSWORD = "Li-xiuying-2026"


@pytest.fixture
def delivered_case(sharing_arranged) -> Case:
    """李秀英 (保成社区) applied for 高龄津贴 at the 大智街道 window; 江岸区民政 reviewed and
    approved it; the result was handed over at the window."""
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    reviewer = factories.staff("mz_reviewer", role="reviewer", division=JIANGAN, department="MZ")
    resident = factories.person(
        community=BAOCHENG, name="李秀英", male=False, birth=dt.date(1944, 4, 12), phone=PHONE
    )
    open_account(person=resident, phone=PHONE, provider="phone_password", password=PASSWORD)
    item = builders.item("MZ-GLJT-001")
    builders.item("MZ-LSJZ-001", name="临时救助申请", promised=10)
    case = intake.take_in(
        actor=actor_for(clerk),
        item=item,
        applicant=Applicant(person=resident),
        provided=builders.COMPLETE,
        channel="window",
    ).case
    for review in case.reviews.all():
        handling.act_on_review(actor=actor_for(reviewer), review=review, decision="approve")
    handling.decide(actor=actor_for(reviewer), case=case, approve=True)
    handling.deliver(actor=actor_for(clerk), case=case, method="window")
    access_person(actor=actor_for(clerk), person_id=resident.pk, purpose="核对高龄津贴资格")
    return Case.unscoped.get(pk=case.pk)


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page) -> None:
    page.goto("/portal/login/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/")


def test_a_resident_follows_and_rates_a_case(page, delivered_case):
    page.goto("/portal/")
    shoot(page, "portal-landing")
    sign_in(page)
    assert "李秀英，您好" in page.content()
    shoot(page, "portal-home")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的办件").click()
    page.wait_for_url("**/portal/cases/")
    shoot(page, "portal-cases")
    page.get_by_role("link", name="高龄津贴申领").first.click()
    page.wait_for_url(f"**/portal/cases/{delivered_case.case_no}/")

    assert page.get_by_test_id("case-status").inner_text() == "结果已送达"
    steps = page.get_by_test_id("progress").locator("li")
    assert [steps.nth(i).get_attribute("class") for i in range(5)] == [
        "done",
        "done",
        "done",
        "done",
        "current",
    ]
    html = page.content()
    assert "大智街道便民服务中心" in html and "dazhi_clerk" not in html
    shoot(page, "portal-case")

    page.get_by_label("非常满意").check()
    page.get_by_label("评价意见").fill("窗口讲解耐心，一次办好")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("感谢您的评价！").wait_for()
    rating = Rating.unscoped.get(case=delivered_case)
    assert (rating.level, rating.channel) == (5, "portal")
    shoot(page, "portal-case-rated")


def test_every_page_at_phone_width(phone_page, page, delivered_case):
    """Not a behaviour test: photographs for a person to look at (both widths)."""
    for tab in (phone_page, page):
        suffix = "phone" if tab is phone_page else "desktop"
        tab.goto("/portal/")
        shoot(tab, f"portal-landing-{suffix}")
        tab.goto("/portal/register/")
        shoot(tab, f"portal-register-{suffix}")
        sign_in(tab)
        for path, name in (
            ("/portal/", "home"),
            ("/portal/services/", "services"),
            ("/portal/services/MZ-LSJZ-001/apply/", "apply"),
            ("/portal/cases/", "cases"),
            (f"/portal/cases/{delivered_case.case_no}/", "case"),
            ("/portal/messages/", "inbox"),
            ("/portal/me/", "me"),
            ("/portal/me/access-log/", "access-log"),
            ("/portal/complaints/", "complaints"),
        ):
            tab.goto(path)
            assert "便民服务" in tab.content()
            shoot(tab, f"portal-{name}-{suffix}")
    # The tab bar is there on the phone, the top navigation on the desktop.
    assert phone_page.get_by_role("navigation", name="底部导航").is_visible()
    assert not phone_page.get_by_role("navigation", name="主导航").is_visible()
    assert page.get_by_role("navigation", name="主导航").is_visible()


def test_a_resident_applies_online_with_photos_of_the_materials(
    phone_page, delivered_case, tmp_path
):
    from bianmin.portal.models import Upload
    from tests.portal.files import JPEG, PDF, PNG

    sign_in(phone_page)
    phone_page.get_by_role("navigation", name="底部导航").get_by_role("link", name="办事").click()
    phone_page.get_by_role("link", name="申请").nth(1).click()
    phone_page.wait_for_url("**/portal/services/MZ-LSJZ-001/apply/")
    assert "将通过数据共享获取，无需提交" in phone_page.content()
    for code, name, body in (
        ("hukou", "户口簿.pdf", PDF),
        ("photo", "photo.jpg", JPEG),
        ("bank_card", "card.png", PNG),
    ):
        path = tmp_path / name
        path.write_bytes(body)
        phone_page.locator(f"#id_m_{code}").set_input_files(str(path))
    assert phone_page.get_by_text("户口簿.pdf").is_visible()  # the picker shows the name
    shoot(phone_page, "portal-apply-filled-phone")
    phone_page.get_by_role("button", name="提交申请").click()
    phone_page.get_by_role("status").filter(has_text="申请已提交").wait_for()
    assert phone_page.get_by_test_id("case-status").inner_text() == "已提交，等待窗口预审"
    case = Case.unscoped.exclude(pk=delivered_case.pk).get()
    assert case.channel == "online" and Upload.objects.filter(case=case).count() == 3
    shoot(phone_page, "portal-applied-phone")
