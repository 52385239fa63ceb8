"""电子台帐 in a real browser, with every request off the live server refused (the dashboard
must work without internet): the supervisors' dashboard draws its charts with the vendored
ECharts, and the designer adds an indicator column by htmx and previews the report."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.browser.conftest import shoot
from tests.browser.test_clerk import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def offline(page, live_server):
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    yield page
    assert outside == [], f"requests left the server: {outside}"


def test_dashboard_draws_charts_offline(offline):
    page = offline
    factories.staff("jiangan_sup", role="supervisor", division="420102")
    sign_in(page, "jiangan_sup")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="数据看板").click()
    page.wait_for_url("**/ledger/dashboard/")
    assert page.evaluate("typeof window.echarts") == "object"
    for chart in ("volume", "rates", "overdue", "units", "population"):
        node = page.locator(f'[data-chart="{chart}"]')
        node.locator("svg").first.wait_for()
        assert node.get_attribute("data-rendered") == "1"
    # The same figures as tables: 12 months, and the streets of 江岸区.
    assert page.locator('[data-table="trend"] tbody tr').count() == 12
    assert page.locator('[data-table="units"]').get_by_text("大智街道").count() == 1
    shoot(page, "ledger-dashboard")


def test_designer_adds_an_indicator_and_previews(offline):
    page = offline
    factories.staff("dazhi_sup", role="supervisor", division="420102002000")
    sign_in(page, "dazhi_sup")
    page.goto("/ledger/templates/new/")
    page.get_by_label("报表名称").fill("社区人口月报")
    page.get_by_label("模板编码").fill("community-people")
    page.locator('[data-indicator="registry.population"]').click()
    row = page.locator('#designer .col-row[data-column="population"]')
    row.wait_for()
    assert "公式" in row.inner_text()
    preview = page.locator("#preview table.ledger")
    assert preview.get_by_text("保成社区").count() == 1
    assert re.search("实有人口", preview.locator("thead").inner_text())
    page.get_by_role("button", name="＋ 手工填报列").click()
    page.locator('#designer .col-row[data-column="manual1"]').wait_for()
    page.locator('input[name="col-1-label"]').fill("入户走访")
    page.get_by_role("button", name="保存模板").click()
    page.wait_for_url(re.compile(r".*/ledger/templates/\d+/$"))
    assert "已保存" in page.content()
    shoot(page, "ledger-designer")
