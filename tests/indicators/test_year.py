"""`Year`: a calendar year computed live — events of the twelve months added up, states on
31 December — on the known dataset of tests/indicators/conftest.py (cases in September and
October 2026, a death in October)."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.health.indicators import _window
from bianmin.indicators import engine
from bianmin.indicators.library import Period, Year
from tests.conftest import BAOCHENG, DAZHI_STREET

CITY = "420100"
EVENTS = ["cases.received", "cases.closed", "cases.on_time_rate", "evaluation.ratings"]
STATES = ["registry.population", "registry.elderly_60", "cases.open_at_end"]


def test_a_year_adds_up_its_months_and_reads_states_on_31_december(case_data):
    yearly = engine.values_many(EVENTS + STATES, division=DAZHI_STREET, period=Year(2026))
    months = [
        engine.values_many(EVENTS, division=DAZHI_STREET, period=Period(2026, m))
        for m in range(1, 13)
    ]
    for code in EVENTS:
        for unit in (DAZHI_STREET, BAOCHENG):
            numerator = sum(month[code][unit].numerator for month in months)
            denominators = [month[code][unit].denominator for month in months]
            assert yearly[code][unit].numerator == numerator, (code, unit)
            if yearly[code][unit].denominator is not None:
                assert yearly[code][unit].denominator == sum(denominators), (code, unit)
    assert yearly["cases.received"][BAOCHENG].value == 4  # September's and October's
    december = engine.values_many(STATES, division=DAZHI_STREET, period="2026-12")
    for code in STATES:
        assert yearly[code] == december[code], code
    rows = engine.rows("cases.received", division=DAZHI_STREET, period=Year(2026))
    assert rows.count() == 4
    assert not engine.rows("cases.received", division=DAZHI_STREET, period=Year(2025)).exists()


@pytest.mark.parametrize("year", [2025, 2028])  # 2028: a leap year
def test_year_bounds_and_the_health_window(year):
    y = Year(year)
    assert (y.start, y.end, str(y), y.previous()) == (
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
        str(year),
        Year(year - 1),
    )
    assert _window(y) == _window(Period(year, 12)) == (y.start, y.end)
    assert _window(Period(year, 3)) == (dt.date(year - 1, 4, 1), Period(year, 3).end)
    assert y == Period.parse(str(year))
