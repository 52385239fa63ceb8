"""The indicator pages in a real browser: from the sidebar to the library, then a street's
60+ figure for a month, down to a community and to the (masked) people behind it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.registry.models import Person
from tests import factories
from tests.browser.conftest import shoot
from tests.browser.test_clerk import sign_in
from tests.conftest import BAOCHENG, DAZHI_STREET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_drill_down_from_street_to_people(page):
    factories.staff("dazhi_stats", role="clerk", division=DAZHI_STREET)
    elder = factories.person(community=BAOCHENG, name="李老一", birth=dt.date(1950, 2, 2))
    factories.person(community=BAOCHENG, name="李青年", birth=dt.date(1995, 2, 2))
    Person.unscoped.update(created_at=timezone.make_aware(dt.datetime(2026, 9, 1, 9, 0)))

    sign_in(page, "dazhi_stats")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="指标库").click()
    page.wait_for_url("**/indicators/")
    assert page.get_by_text("按时办结率").count() >= 1
    page.get_by_role("link", name="60岁以上老年人数").click()
    page.get_by_label("统计期").select_option("2026-10")
    # A population figure has no centre, department or item: only 按区划 is offered.
    assert page.get_by_label("分列").locator("option").all_inner_texts() == ["按区划"]
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**period=2026-10**")  # the new page, not the one being left
    assert page.locator('[data-testid="values"]').get_by_text("合计").count() == 1
    page.locator('[data-testid="values"]').get_by_role("link", name="保成社区").click()
    page.wait_for_url(f"**org_unit={BAOCHENG}**")
    assert "保成社区" in page.locator("h2").first.inner_text()
    page.locator('[data-testid="values"] tbody tr').first.get_by_role("link", name="明细").click()
    rows = page.locator('[data-testid="records"]')
    rows.wait_for()
    text = rows.inner_text()
    assert "李老一" in text and "李青年" not in text
    assert elder.id_masked in text and "*" in elder.id_masked
    shoot(page, "indicators-drill-down")
