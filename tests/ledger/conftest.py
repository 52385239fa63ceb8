"""Ledger fixtures: throw-away indicators over the grid register (so a test can change the
base data by adding a grid), templates and reports built by the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.indicators import library
from bianmin.indicators.library import SUM, Indicator, Measure
from bianmin.ledger import periods
from bianmin.ledger.services import save_template
from bianmin.registry.models import Division
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING

GRIDS = "ledgertest.grids"
HOUSEHOLDS = "ledgertest.households"
SERVED_SHARE = "ledgertest.served_share"


@pytest.fixture(autouse=True)
def test_indicators():
    library.register(
        Indicator(
            code=GRIDS,
            name="网格数",
            unit="个",
            formula="网格登记数",
            measure=Measure("registry.Grid", area="code"),
        ),
        Indicator(
            code=HOUSEHOLDS,
            name="服务户数",
            unit="户",
            formula="各网格服务户数之和",
            measure=Measure("registry.Grid", aggregate=SUM, field="households_served", area="code"),
        ),
        Indicator(
            code=SERVED_SHARE,
            name="大网格占比",
            unit="%",
            formula="服务户数超过100户的网格 / 网格数 × 100",
            numerator=Measure("registry.Grid", area="code", where={"households_served__gt": 100}),
            denominator=Measure("registry.Grid", area="code"),
            scale=100,
            decimals=1,
        ),
        source="ledgertest",
    )
    yield
    for code in (GRIDS, HOUSEHOLDS, SERVED_SHARE):
        library.unregister(code)


@pytest.fixture
def actor() -> Actor:
    return Actor(name="测试填报员")


def last_month() -> str:
    return periods.last_closed("monthly").key


def this_month() -> str:
    return periods.containing("monthly", timezone.localdate()).key


def street_columns() -> list[dict]:
    return [
        {"key": "grids", "label": "网格数", "source": "indicator", "indicator": GRIDS},
        {"key": "households", "label": "服务户数", "source": "indicator", "indicator": HOUSEHOLDS},
        {
            "key": "visits",
            "label": "入户走访次数",
            "source": "manual",
            "type": "int",
            "min": 0,
            "max": 10000,
            "required": True,
        },
        {"key": "note", "label": "备注", "source": "manual", "type": "text"},
    ]


@pytest.fixture
def street_template(db, actor):
    return save_template(
        actor=actor,
        code="street-grid-monthly",
        name="网格工作月报表",
        frequency="monthly",
        row_kind="units",
        columns=street_columns(),
        headings=[[{"label": "基础数据（自动提取）", "span": 2}, {"label": "工作情况", "span": 2}]],
        notes="入户走访次数由各社区如实填报。",
    )


@pytest.fixture
def grids(db):
    a = factories.grid(BAOCHENG, 1)
    a.households_served = 120
    a.save()
    b = factories.grid(BAOCHENG, 2)
    b.households_served = 80
    b.save()
    c = factories.grid(TAINING, 1)
    c.households_served = 200
    c.save()
    return [a, b, c]


@pytest.fixture
def street():
    return Division.objects.get(code=DAZHI_STREET)


@pytest.fixture
def street_reviewer(db):
    """A staff member of 江岸区 — the level above 大智街道."""
    return factories.staff("jiangan_reviewer", role="supervisor", division="420102")


@pytest.fixture
def street_clerk(db):
    return factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)


def fill_all(report, actor, value="3"):
    from bianmin.ledger.services import fill_cells
    from bianmin.ledger.tables import build_table

    table = build_table(report)
    values = {(row.key, col["key"]): value for row, col in table.missing}
    fill_cells(actor=actor, report=report, values=values)


def first_of_month() -> dt.date:
    return timezone.localdate().replace(day=1)
