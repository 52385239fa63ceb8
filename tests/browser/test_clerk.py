"""What a window clerk does in a real browser: sign in, find a resident by name, open the
profile (ID masked, the full number nowhere in the page), reveal it with a stated purpose."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core import crypto
from bianmin.core.models import AuditAction, AuditEntry
from tests import factories
from tests.browser.conftest import shoot
from tests.conftest import BAOCHENG, WANNIAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clerk_and_resident():
    clerk = factories.staff("dazhi_clerk", role="clerk", division="420102002000")
    grid = factories.grid(BAOCHENG, 1)
    resident = factories.person(
        community=BAOCHENG,
        name="李秀英",
        male=False,
        birth=dt.date(1948, 4, 12),
        grid=grid.code,
        phone="13900001111",
        residence_address="保成路18号",
    )
    factories.person(community=BAOCHENG, name="李明", birth=dt.date(1990, 1, 5))
    factories.person(community=WANNIAN, name="李秀兰")  # another district: never listed
    return clerk, resident


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    assert "便民服务平台" in page.content()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def open_profile_by_name(page, name: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="人口库").click()
    page.wait_for_url("**/people/")
    box = page.get_by_label("姓名 / 拼音首字母 / 证件号后4位")
    # Live search: the results table is replaced by htmx without a page load. Wait for that
    # answer: the unfiltered first page lists the name too, and a click on it while the
    # search is in flight is cancelled by the search's history push.
    with page.expect_response(lambda r: "/people/?q=" in r.url):
        box.fill(name)
    results = page.locator("#results")
    results.get_by_role("link", name=name, exact=True).wait_for()
    assert "李秀兰" not in results.inner_text()
    shoot(page, "people-search")
    # Leaving the search box (as a click on a result does) must not query again.
    queried = []
    page.on("request", lambda r: queried.append(r.url) if "/people/?" in r.url else None)
    box.blur()
    page.wait_for_timeout(400)
    assert queried == []
    results.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url("**/people/*/")


def test_clerk_finds_a_resident_and_sees_the_id_masked(page, clerk_and_resident):
    clerk, resident = clerk_and_resident
    sign_in(page, "dazhi_clerk")
    assert "大智街道便民服务中心" in page.content()
    shoot(page, "home")

    open_profile_by_name(page, "李秀英")
    shoot(page, "profile")
    masked = page.get_by_test_id("id-masked")
    assert masked.inner_text() == resident.id_masked
    html = page.content()
    assert crypto.decrypt(resident.id_cipher) not in html
    assert "80岁以上高龄老人" not in html and "60岁以上老年人" in html
    assert AuditEntry.objects.filter(
        action=AuditAction.READ, object_id=str(resident.pk), actor_id=clerk.pk
    ).exists()


def test_reveal_with_a_purpose_shows_the_full_number(page, clerk_and_resident):
    clerk, resident = clerk_and_resident
    full = crypto.decrypt(resident.id_cipher)
    sign_in(page, "dazhi_clerk")
    open_profile_by_name(page, "李秀英")

    page.get_by_text("查看完整证件号").click()
    page.get_by_role("button", name="查看", exact=True).click()
    page.get_by_text("查看完整证件号码须填写事由").wait_for()  # no purpose: refused
    assert full not in page.content()

    page.get_by_label("查看事由").fill("办理高龄津贴，核对身份")
    page.get_by_role("button", name="查看", exact=True).click()
    page.get_by_test_id("id-full").wait_for()
    assert page.get_by_test_id("id-full").inner_text() == full
    shoot(page, "profile-revealed")
    reveal = AuditEntry.objects.get(action=AuditAction.REVEAL, object_id=str(resident.pk))
    assert reveal.actor_id == clerk.pk and reveal.purpose == "办理高龄津贴，核对身份"

    page.reload()
    assert full not in page.content()
