"""Indicators by accepting centre, handling department and catalogue item (beside the area
roll-up), and quarters / years computed over the whole period (distinct counts exact)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bianmin.cases.models import Case
from bianmin.indicators import breakdowns, engine, library
from bianmin.indicators.library import Period
from bianmin.indicators.units import unit
from tests import factories
from tests.apiclient import api_as
from tests.conftest import BAOCHENG, DAZHI_STREET, WANNIAN

from .conftest import PERIOD, _case

API = "/api/v1/indicators/"
JIANGAN_ALL = "420102"


@pytest.fixture
def centres(case_data):
    """Baocheng's 便民服务室 accepted the three October cases of Baocheng; 大智街道's 365 centre
    the case submitted in September (closed on time in October); Wannian's online case was
    never accepted at a counter (no centre). A second item, of 人社, at the street centre."""
    from tests.cases.builders import item

    room = factories.org_unit(BAOCHENG)
    street = factories.org_unit(DAZHI_STREET)
    for key in ("on_time", "late", "overdue"):
        Case.unscoped.filter(pk=case_data[key].pk).update(org_unit=room)
    street_prefix = street.division.prefix
    Case.unscoped.filter(pk=case_data["september"].pk).update(
        org_unit=street, area_code=street_prefix
    )
    pension = item("IND-PENSION", name="养老保险待遇申领", department="RS", reviews=(("RS", 1),))
    person = case_data["on_time"].applicant_person
    extra = _case(
        11,
        pension,
        person,
        area=street_prefix,
        org_unit=street,
        status="closed",
        closed_on=dt.date(2026, 10, 30),  # due 16 October: late
    )
    return {"room": room, "street": street, "pension": pension, "extra": extra}


def test_on_time_rate_by_centre(centres):
    got = breakdowns.breakdown(
        ["cases.on_time_rate", "cases.closed"], by="centre", division=DAZHI_STREET, period=PERIOD
    )
    room, street = centres["room"].code, centres["street"].code
    rate = got["cases.on_time_rate"]
    assert set(rate) == {room, street}  # Wannian is not under 大智街道
    assert (rate[room].numerator, rate[room].denominator) == (1, 2)
    assert rate[room].value == Decimal("50.00")
    assert (rate[street].numerator, rate[street].denominator) == (1, 2)
    assert got["cases.closed"][street].value == 2
    # Without a unit: every row, the one never accepted at a centre under "".
    everywhere = breakdowns.breakdown(["cases.closed"], by="centre", period=PERIOD)
    assert everywhere["cases.closed"][""].value == 1
    assert breakdowns.names("centre", [room, ""]) == {
        room: centres["room"].name,
        "": "未指定受理单位",
    }


def test_by_department_and_item(centres):
    dept = breakdowns.breakdown(
        ["cases.closed"], by="department", division=JIANGAN_ALL, period=PERIOD
    )
    assert {k: v.value for k, v in dept["cases.closed"].items()} == {"MZ": 3, "RS": 1}
    items = breakdowns.breakdown(
        ["cases.received"], by="item", division=DAZHI_STREET, period=PERIOD
    )
    assert {k: v.value for k, v in items["cases.received"].items()} == {
        "IND-ELDERLY": 3,
        "IND-PENSION": 1,
    }
    assert breakdowns.names("department", ["RS"]) == {"RS": "人力资源和社会保障局"}
    assert breakdowns.names("item", ["IND-PENSION"]) == {"IND-PENSION": "养老保险待遇申领"}


def test_distinct_count_is_exact_per_key(centres):
    """李二 applied at both centres in October (at the street centre for the pension): one
    person at each, two in the street, not three."""
    got = breakdowns.breakdown(
        ["cases.applicants"], by="centre", division=DAZHI_STREET, period=PERIOD
    )["cases.applicants"]
    assert got[centres["room"].code].value == 2  # 李二, 李三
    assert got[centres["street"].code].value == 1  # 李二
    area = engine.values("cases.applicants", division=DAZHI_STREET, period=PERIOD)
    assert area[DAZHI_STREET].value == 2


def test_one_query_per_table(centres):
    codes = ["cases.on_time_rate", "cases.closed", "cases.applicants", "cases.avg_visits"]
    with CaptureQueriesContext(connection) as ctx:
        breakdowns.breakdown(codes, by="centre", division=DAZHI_STREET, period=PERIOD)
    assert sum('FROM "cases_case"' in q["sql"] for q in ctx.captured_queries) == 1


def test_drill_down_to_a_centres_rows(centres):
    rows = engine.rows(
        "cases.on_time_rate",
        division=DAZHI_STREET,
        period=PERIOD,
        part="denominator",
        by="centre",
        key=centres["room"].code,
    )
    assert {c.case_no for c in rows} == {"IND000001", "IND000002"}


def test_undeclared_breakdowns_are_refused(centres):
    assert library.get("cases.on_time_rate").breakdowns == ("centre", "department", "item")
    assert library.get("evaluation.complaints").breakdowns == ("centre", "department")
    with pytest.raises(ValidationError) as err:
        breakdowns.breakdown(["registry.population"], by="centre", period=PERIOD)
    assert err.value.code == "no_breakdown"
    with pytest.raises(ValidationError) as err:
        breakdowns.breakdown(["cases.closed"], by="street", period=PERIOD)
    assert err.value.code == "unknown_breakdown"


def test_api_by_centre(centres):
    clerk = factories.staff("dazhi_by", role="clerk", division=DAZHI_STREET)
    r = api_as(clerk).get(
        f"{API}cases.on_time_rate/values/",
        {"org_unit": DAZHI_STREET, "period": PERIOD, "by": "centre"},
    )
    assert r.status_code == 200, r.data
    assert r.data["by"] == "centre"
    assert r.data["unit"]["numerator"] == 2 and r.data["unit"]["denominator"] == 4
    rows = {c["code"]: c for c in r.data["children"]}
    assert rows[centres["room"].code]["value"] == pytest.approx(50.0)
    assert rows[centres["room"].code]["name"] == centres["room"].name
    assert rows[centres["room"].code]["level"] == "受理单位"
    # Outside the viewer's area: refused, whatever the breakdown.
    r = api_as(clerk).get(
        f"{API}cases.closed/values/", {"org_unit": WANNIAN, "period": PERIOD, "by": "centre"}
    )
    assert r.status_code == 403
    r = api_as(clerk).get(
        f"{API}registry.population/values/",
        {"org_unit": DAZHI_STREET, "period": PERIOD, "by": "item"},
    )
    assert r.status_code == 400 and r.data["code"] == "no_breakdown"
    assert r.data["detail"] == "指标“实有人口数”不能按事项分列。"
    r = api_as(clerk).get(
        f"{API}cases.closed/values/",
        {"org_unit": DAZHI_STREET, "period": PERIOD, "by": "street"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400 and r.data["code"] == "unknown_breakdown"
    assert "street" in r.data["detail"] and "不能" not in r.data["detail"]
    listed = {i["code"]: i for i in api_as(clerk).get(API).data}
    assert listed["cases.closed"]["breakdowns"] == ["centre", "department", "item"]
    assert listed["registry.population"]["breakdowns"] == []


def test_openapi_documents_by(db):
    from rest_framework.test import APIClient

    doc = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    params = doc["paths"]["/api/v1/indicators/{code}/values/"]["get"]["parameters"]
    by = next(p for p in params if p["name"] == "by")
    assert by["schema"]["enum"] == ["centre", "department", "item"]
    assert "受理单位" in by["description"]


# --- quarters and years -------------------------------------------------------------------


def test_period_keys():
    q3 = Period.parse("2026-Q3")
    assert (q3.start, q3.end, str(q3)) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026-Q3")
    assert str(q3.previous()) == "2026-Q2" and str(Period.parse("2026-Q1").previous()) == "2025-Q4"
    year = Period.parse("2024")
    assert year.end == dt.date(2024, 12, 31) and len(year.month_periods()) == 12
    assert Period.between(dt.date(2026, 10, 1), dt.date(2026, 12, 31)) == Period.parse("2026-Q4")
    assert str(Period.parse("2026-02")) == "2026-02" and Period.parse("2026-02").end.day == 28
    for bad in ("2026-Q5", "2026-13", "26", "2026-Q0", ""):
        with pytest.raises(ValidationError) as err:
            Period.parse(bad)
        assert err.value.code == "invalid_period"
    with pytest.raises(ValidationError):
        Period.between(dt.date(2026, 10, 1), dt.date(2026, 11, 30))


def test_quarter_counts_a_person_once(case_data):
    """李二 applies in October and again in November: two months of Q4, one person."""
    from tests.cases.builders import item

    person = case_data["on_time"].applicant_person
    _case(
        12,
        item("IND-Q4"),
        person,
        area=BAOCHENG,
        submitted_at=timezone.make_aware(dt.datetime(2026, 11, 3, 9, 0)),
        accepted_on=dt.date(2026, 11, 3),
        due_date=dt.date(2026, 11, 10),
    )
    months = [
        engine.values("cases.applicants", division=BAOCHENG, period=m)[BAOCHENG].value
        for m in ("2026-10", "2026-11", "2026-12")
    ]
    assert months == [2, 1, 0]  # 李二 and 李三; 李二
    quarter = engine.values("cases.applicants", division=DAZHI_STREET, period="2026-Q4")
    assert quarter[BAOCHENG].value == 2  # not 3
    year = engine.values("cases.applicants", division=DAZHI_STREET, period="2026")
    assert year[BAOCHENG].value == 2  # September's case was 李二's too
    # Events add up over the quarter, a ratio divides the quarter's totals.
    received = engine.values("cases.received", division=BAOCHENG, period="2026-Q4")
    assert received[BAOCHENG].value == 4
    rate = engine.values("cases.on_time_rate", division=BAOCHENG, period="2026-Q4")[BAOCHENG]
    assert (rate.numerator, rate.denominator) == (2, 3)


def test_quarter_state_is_taken_at_its_end(people):
    """Population (state) in Q4 is the population on 31 December, not a sum of months."""
    q = engine.values("registry.population", division=DAZHI_STREET, period="2026-Q4")
    dec = engine.values("registry.population", division=DAZHI_STREET, period="2026-12")
    assert q == dec


def test_the_engine_tells_a_where_the_area_it_computes(case_data):
    """`period.area` is the prefix of the unit asked for (the area table, the drill-down rows,
    a breakdown narrowed to a unit), "" for the whole data: health's subqueries restrict
    themselves to it. It changes no figure and is not part of a period's identity."""
    seen: list[str] = []

    def where(period: Period):
        from django.db.models import Q

        seen.append(period.area)
        return Q()

    code = "cases.test_area_probe"
    library.register(
        library.Indicator(
            code=code,
            name="probe",
            unit="件",
            formula="probe",
            measure=library.Measure("cases.Case", date="submitted_at", where=where),
        ),
        source="tests",
    )
    try:
        baocheng = engine.values(code, division=BAOCHENG, period=PERIOD)[BAOCHENG]
        assert seen[-1] == unit(BAOCHENG).prefix and baocheng.value == 3
        engine.table([code], root="420100", period=PERIOD)
        assert seen[-1] == "4201"
        list(engine.rows(code, division=WANNIAN, period=PERIOD))
        assert seen[-1] == unit(WANNIAN).prefix
        breakdowns.breakdown([code], by="centre", division=DAZHI_STREET, period=PERIOD)
        assert seen[-1] == unit(DAZHI_STREET).prefix == "420102002"
        breakdowns.breakdown([code], by="centre", period=PERIOD)
        assert seen[-1] == ""
    finally:
        library.unregister(code)
    assert Period.parse("2026-10").within("420102") == Period.parse("2026-10")


def test_a_prefix_is_also_a_range(case_data):
    """prefix_q says “starts with” and the same as an index range, carrying over nines."""
    from bianmin.indicators.units import prefix_q

    q = prefix_q("area_code", "420109")
    assert ("area_code__lt", "42011") in q.children and ("area_code__gte", "420109") in q.children
    assert ("area_code__lt", "5") in prefix_q("area_code", "4999").children
    assert prefix_q("area_code", "99").children == [("area_code__startswith", "99")]
    assert prefix_q("area_code", "") == Q()
    in_baocheng = Case.unscoped.filter(prefix_q("area_code", unit(BAOCHENG).prefix))
    assert in_baocheng.count() == 4  # the three October cases and the September one
    assert set(in_baocheng) == set(
        Case.unscoped.filter(area_code__startswith=unit(BAOCHENG).prefix)
    )
