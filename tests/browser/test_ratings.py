"""The public hygiene results page (公示) in a real browser, signed out: places with their
grade sign and last inspection date, narrowed by grade; places not yet graded are not shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps

from bianmin.core.audit import Actor
from bianmin.hygiene import services
from bianmin.hygiene.reference import load as load_sheets
from tests.browser.conftest import shoot
from tests.conftest import BAOCHENG
from tests.hygiene.conftest import scores_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SYSTEM = Actor(name="pytest")


@pytest.fixture
def graded_places():
    load_sheets(apps)  # reference data: a transactional test starts from a flushed database
    places = {}
    for name, place_type, total in (
        ("大智宾馆", "hotel", "95"),
        ("保成美发店", "salon", "75"),
        ("江滩游泳馆", "pool", "62"),
    ):
        place = services.register_place(
            actor=SYSTEM,
            name=name,
            place_type=place_type,
            area_code=BAOCHENG,
            address="武汉市江岸区大智路18号",
            operator_name=f"{name}经营部",
        )
        services.record_inspection(
            actor=SYSTEM,
            place=place.pk,
            inspected_on=dt.date(2026, 3, 10),
            inspectors="李华、张伟",
            scores=scores_for(place_type, Decimal(total)),
        )
        places[name] = place
    services.register_place(
        actor=SYSTEM,
        name="新开影城",
        place_type="cinema",
        area_code=BAOCHENG,
        address="武汉市江岸区",
        operator_name="新开影城经营部",
    )
    return places


def test_public_hygiene_results(page, graded_places):
    page.goto("/hygiene/public/")
    table = page.locator("#results table")
    row = table.locator("tr", has_text="大智宾馆")
    assert row.locator(".badge").inner_text() == "A"
    assert "2026-03-10" in row.inner_text()
    assert table.locator("tr", has_text="保成美发店").locator(".badge").inner_text() == "B"
    assert table.locator("tr", has_text="江滩游泳馆").locator(".badge").inner_text() == "C"
    assert "新开影城" not in table.inner_text()
    page.select_option("#id_grade", "B")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**grade=B**")
    assert "保成美发店" in table.inner_text()
    assert "大智宾馆" not in table.inner_text()
    shoot(page, "hygiene-public")
