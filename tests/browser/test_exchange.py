"""In a real browser: 公安's push has an impossible date of death; the administrator finds it
on the dead-letter page, corrects the date and retries, and sees the life event with what each
register did."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from bianmin.exchange.services import add_client
from bianmin.exchange.signing import signed_headers
from bianmin.registry.models import LifeStatus, Person
from tests import factories
from tests.browser.conftest import shoot
from tests.browser.test_clerk import sign_in
from tests.conftest import BAOCHENG
from tests.exchange.helpers import ACTOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEATHS = "/api/v1/exchange/deaths/"


@pytest.fixture
def bad_push():
    number = factories.id_number(birth=dt.date(1939, 12, 1))
    person = factories.person(
        community=BAOCHENG, name="赵德胜", birth=dt.date(1939, 12, 1), id_number=number
    )
    client, secret = add_client(actor=ACTOR, department="GA")
    body = json.dumps(
        {"record_id": "GA-SW-0042", "id_number": number, "died_on": "2026-02-30"}
    ).encode()
    headers = signed_headers(client.client_id, secret, "POST", DEATHS, body)
    r = Client().post(
        DEATHS,
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    assert r.status_code == 422
    person.number = number
    return person


def test_admin_corrects_and_retries_a_dead_letter(page, bad_push):
    factories.staff("city_admin", role="admin", division="420100")
    sign_in(page, "city_admin")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="交换待处理记录").click()
    page.wait_for_url("**/exchange/dead-letters/**")
    assert "GA-SW-0042" in page.content() and "invalid_date" in page.content()
    assert bad_push.number not in page.content()
    page.get_by_role("link", name="查看").first.click()
    page.wait_for_url("**/exchange/dead-letters/*/")
    assert bad_push.id_masked in page.content() and bad_push.number not in page.content()
    shoot(page, "exchange-dead-letter")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("死亡日期").fill(yesterday.isoformat())
    page.get_by_role("button", name="更正并重试").click()
    page.wait_for_url("**/exchange/dead-letters/")
    assert "已更正并重新应用。" in page.content()
    assert Person.unscoped.get(pk=bad_push.pk).life_status == LifeStatus.DECEASED
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="人员变动事件").click()
    page.wait_for_url("**/exchange/life-events/")
    assert "赵德胜" in page.content() and "公安推送" in page.content()
    shoot(page, "exchange-life-events")
