"""/api/v1/indicators/ and the staff pages: values, scope, errors in zh-Hans, masked rows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from tests import factories
from tests.apiclient import api_as, body
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING, WANNIAN

from .conftest import PERIOD

API = "/api/v1/indicators/"


@pytest.fixture
def street_clerk(db):
    return factories.staff("dazhi_stats", role="clerk", division=DAZHI_STREET)


def test_list_has_the_library(street_clerk):
    r = api_as(street_clerk).get(API)
    assert r.status_code == 200
    codes = {i["code"]: i for i in r.data}
    assert len(codes) >= 30
    assert codes["cases.on_time_rate"]["kind"] == "ratio"
    assert codes["cases.on_time_rate"]["name"] == "按时办结率"
    assert "承诺办结日期" in codes["cases.on_time_rate"]["formula"]


def test_values_for_unit_and_children(street_clerk, case_data):
    r = api_as(street_clerk).get(
        f"{API}cases.on_time_rate/values/", {"org_unit": DAZHI_STREET, "period": PERIOD}
    )
    assert r.status_code == 200, r.data
    assert r.data["unit"]["code"] == DAZHI_STREET
    assert r.data["unit"]["numerator"] == 2 and r.data["unit"]["denominator"] == 3
    children = {c["code"]: c for c in r.data["children"]}
    assert children[BAOCHENG]["value"] == pytest.approx(66.67)
    assert children[TAINING]["value"] is None  # nothing closed: no rate, not 0%
    assert children[TAINING]["name"] == "泰宁社区"


def test_outside_scope_is_403(street_clerk, case_data):
    r = api_as(street_clerk).get(
        f"{API}cases.closed/values/", {"org_unit": WANNIAN, "period": PERIOD}
    )
    assert r.status_code == 403 and r.data["code"] == "out_of_scope"
    r = api_as(street_clerk).get(
        f"{API}cases.closed/values/", {"org_unit": "420100", "period": PERIOD}
    )
    assert r.status_code == 403


def test_errors_are_clear(street_clerk, db):
    client = api_as(street_clerk)
    r = client.get(f"{API}no.such/values/", {"org_unit": DAZHI_STREET, "period": PERIOD})
    assert r.status_code == 404 and r.data["detail"] == "指标“no.such”不存在。"
    r = client.get(f"{API}cases.closed/values/", {"org_unit": DAZHI_STREET, "period": "2026-13"})
    assert r.status_code == 400 and r.data["code"] == "invalid_period"
    assert "2026-13" in r.data["detail"]
    r = client.get(f"{API}cases.closed/values/", {"org_unit": "420102999999", "period": PERIOD})
    assert r.status_code == 400 and r.data["code"] == "unknown_unit"
    r = client.get(
        f"{API}cases.closed/values/",
        {"org_unit": "420102999999", "period": PERIOD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "420102999999" in r.data["detail"] and "不存在" not in r.data["detail"]


def test_anonymous_is_refused(db):
    from rest_framework.test import APIClient

    assert APIClient().get(API).status_code in (401, 403)


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=factories.PASSWORD)
    return client


def test_library_page_shows_formulas(street_clerk):
    page = _login(street_clerk).get("/indicators/")
    assert page.status_code == 200
    assert "按时办结率" in page.content.decode() and "承诺办结日期" in page.content.decode()


def test_values_page_drills_down_to_masked_rows(street_clerk, case_data, people):
    client = _login(street_clerk)
    page = client.get(
        "/indicators/values/",
        {"code": "registry.elderly_60", "org_unit": BAOCHENG, "period": PERIOD},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "第1网格" in html
    rows = client.get(
        "/indicators/values/",
        {
            "code": "registry.elderly_60",
            "org_unit": BAOCHENG,
            "period": PERIOD,
            "part": "numerator",
        },
    ).content.decode()
    assert "李一" in rows and "李二" in rows and "李三" not in rows
    assert people["b70"].id_masked in rows
    assert "****" in people["b70"].id_masked


def test_values_page_refuses_unit_outside_scope(street_clerk, case_data):
    html = (
        _login(street_clerk)
        .get("/indicators/values/", {"code": "cases.closed", "org_unit": WANNIAN, "period": PERIOD})
        .content.decode()
    )
    assert "不在您的管辖范围内" in html and 'data-testid="values"' not in html


def test_rows_follow_the_viewer_scope(case_data, people):
    from bianmin.indicators import engine
    from bianmin.registry.access import scope_for

    viewer = factories.staff("taining_worker", role="grid", division=TAINING)
    qs = engine.rows(
        "registry.population", division=DAZHI_STREET, period=PERIOD, scope=scope_for(viewer)
    )
    assert {p.name for p in qs} == {"王一"}
    assert body  # the helper is shared with the API tests


def test_values_page_breaks_down_as_the_api_does(street_clerk, case_data):
    """按服务中心: the page's rows are the API's `by=centre` rows (one library call); only the
    breakdowns the indicator offers are in the selector; English labels with `en`."""
    client = _login(street_clerk)
    query = {"code": "cases.on_time_rate", "org_unit": DAZHI_STREET, "period": PERIOD}
    api = api_as(street_clerk).get(f"{API}cases.on_time_rate/values/", {**query, "by": "centre"})
    assert api.status_code == 200 and api.data["children"]
    page = client.get("/indicators/values/", {**query, "by": "centre"})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<option value="centre" selected>按服务中心</option>' in html
    assert '<option value="department">按部门</option>' in html and "按事项" in html
    assert "受理单位" in html  # the first column names the breakdown
    for child in api.data["children"]:
        assert child["name"] in html
        assert f"{child['numerator']}</td><td>{child['denominator']}</td>" in html
    # Drill-down into one centre's rows: the cases that centre closed on time.
    first = api.data["children"][0]
    rows = client.get(
        "/indicators/values/", {**query, "by": "centre", "key": first["code"], "part": "numerator"}
    ).content.decode()
    assert f"共 {first['numerator']} 条" in rows
    # A population figure has no centre: only 按区划, and asking for one says why.
    people = client.get(
        "/indicators/values/",
        {"code": "registry.elderly_60", "org_unit": DAZHI_STREET, "period": PERIOD, "by": "centre"},
    ).content.decode()
    assert "按服务中心" not in people and "不能按受理单位分列" in people
    # (The page activates English for the request; the override restores the language after.)
    with translation.override("zh-hans"):
        english = client.get(
            "/indicators/values/", {**query, "by": "department"}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "By department" in english and "By area" in english
