"""忘记密码, in real browsers: the clerk resets the resident's portal password from the person's
profile after checking the ID card; the resident signs in on a phone with the temporary
password from the SMS and is made to set a new one first."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bianmin.notifications.models import OutboxMessage
from bianmin.portal.services.accounts import open_account
from tests import factories
from tests.browser.conftest import shoot
from tests.browser.test_clerk import sign_in as staff_sign_in
from tests.browser.test_portal import phone_page  # noqa: F401 (fixture)
from tests.conftest import BAOCHENG, DAZHI_STREET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13900003333"


@pytest.fixture
def resident(db):
    factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    person = factories.person(
        community=BAOCHENG, name="周桂芳", male=False, birth=dt.date(1958, 6, 2), phone=PHONE
    )
    open_account(person=person, phone=PHONE, provider="phone_password", password="Zhou-2026-old")
    return person


def test_the_clerk_resets_and_the_resident_sets_a_new_password(
    page,
    phone_page,  # noqa: F811
    resident,
):
    staff_sign_in(page, "dazhi_clerk")
    page.goto(f"/people/{resident.pk}/")
    card = page.get_by_test_id("resident-account")
    card.get_by_text("重置登录密码").click()
    card.get_by_label("已当面核验本人居民身份证").check()
    card.get_by_role("button", name="重置密码").click()
    page.get_by_text("临时密码已通过短信发送到本人登录手机号").wait_for()
    shoot(page, "account-password-reset")
    sms = OutboxMessage.objects.get(related_type="resident_account")
    temporary = re.search(r"临时密码：([a-z0-9]+)", sms.body).group(1)
    assert temporary not in page.content()

    phone_page.goto("/portal/login/")
    phone_page.get_by_label("手机号码").fill(PHONE)
    phone_page.get_by_label("密码").fill(temporary)
    phone_page.get_by_role("button", name="登录").click()
    phone_page.wait_for_url("**/portal/me/password/")
    phone_page.get_by_label("当前密码").fill(temporary)
    phone_page.get_by_label("新密码", exact=True).fill("Zhou-guifang-2027")
    phone_page.get_by_label("确认新密码").fill("Zhou-guifang-2027")
    shoot(phone_page, "portal-password-change")
    phone_page.get_by_role("button", name="保存新密码").click()
    phone_page.wait_for_url("**/portal/me/")
    phone_page.get_by_text("登录密码已修改").wait_for()
