"""A resident in a real browser: finds 数据授权 under 我的, consents to sharing their 残疾人
information, sees a department's read of it, and withdraws the consent — after which the next
read is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.portal.services.accounts import open_account
from bianmin.registry.access import actor_for
from bianmin.registry.models import PersonTag
from bianmin.sharing import services
from bianmin.sharing.models import Consent
from tests import factories
from tests.browser.conftest import shoot
from tests.conftest import BAOCHENG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13900003333"
PASSWORD = "Zhao-min-2026"


def test_a_resident_consents_and_withdraws(page):
    resident = factories.person(
        community=BAOCHENG, name="赵敏", male=False, birth=dt.date(1962, 5, 9), phone=PHONE
    )
    PersonTag.objects.create(person=resident, tag_id="disabled", source="江岸区残联")
    open_account(person=resident, phone=PHONE, provider="phone_password", password=PASSWORD)
    from tests.sharing.conftest import grant

    grant("disability", "MZ")
    officer = factories.staff("mz_officer", role="reviewer", division="420102", department="MZ")

    page.goto("/portal/login/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/")
    page.goto("/portal/me/")
    page.get_by_role("link", name="数据授权").click()
    page.wait_for_url("**/sharing/my/consents/")

    row = page.locator("li.consent-row[data-item=disability]")
    assert "未授权" in row.inner_text()
    row.get_by_role("button", name="同意共享").click()
    page.get_by_text("已授权共享“残疾人信息”。").wait_for()
    assert Consent.unscoped.get(person=resident, item_id="disability").withdrawn_at is None

    services.fetch(
        actor=actor_for(officer), item_code="disability", person=resident, purpose="两项补贴审核"
    )
    page.reload()
    reads = page.get_by_test_id("reads").inner_text()
    assert "民政局" in reads and "两项补贴审核" in reads
    shoot(page, "sharing-consents")

    page.locator("li.consent-row[data-item=disability]").get_by_role(
        "button", name="撤回授权"
    ).click()
    page.get_by_text("已撤回对“残疾人信息”的授权。").wait_for()
    with pytest.raises(services.AccessDenied) as refused:
        services.fetch(
            actor=actor_for(officer),
            item_code="disability",
            person=resident,
            purpose="两项补贴审核",
        )
    assert refused.value.code == "consent_withdrawn"


def staff_sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_a_department_asks_and_the_owner_approves(page):
    from bianmin.sharing.models import AccessRequest, Grant

    factories.staff("mz_asker", role="reviewer", division="420102", department="MZ")
    factories.staff("ga_owner", role="reviewer", division="420102", department="GA")

    staff_sign_in(page, "mz_asker")
    page.goto("/sharing/catalogue/")
    assert "户籍信息" in page.get_by_test_id("catalogue").inner_text()
    shoot(page, "sharing-catalogue")
    page.goto("/sharing/requests/")
    form = page.get_by_test_id("request-form")
    form.get_by_label("数据项").select_option("hukou")
    form.get_by_label("用途").fill("最低生活保障审核")
    form.get_by_label("使用范围（区划代码前缀）").fill("420102")
    form.get_by_label("有效期至").fill("2099-12-31")
    form.get_by_role("button", name="提交申请").click()
    page.get_by_text("共享申请已提交，等待数据提供部门审批。").wait_for()
    assert AccessRequest.objects.get().status == "pending"

    staff_sign_in(page, "ga_owner")
    page.goto("/sharing/requests/")
    shoot(page, "sharing-requests")
    page.get_by_test_id("requests").get_by_role("button", name="同意").click()
    page.get_by_text("已同意，授权生效。").wait_for()
    grant = Grant.objects.get()
    assert (grant.department_id, grant.item_id, grant.scope_prefix) == ("MZ", "hukou", "420102")
    page.goto("/sharing/grants/")
    assert "有效" in page.get_by_test_id("grants").inner_text()
    shoot(page, "sharing-grants")
