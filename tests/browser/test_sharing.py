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
