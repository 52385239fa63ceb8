"""Every declared indicator on a small known dataset (tests/indicators/conftest.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bianmin.indicators import engine, library
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING, WANNIAN

from .conftest import PERIOD

CITY = "420100"

# code → {unit: value} on the dataset of `people` + `case_data`, October 2026.
EXPECTED = {
    "registry.population": {CITY: 5, DAZHI_STREET: 4, BAOCHENG: 3, TAINING: 1, WANNIAN: 1},
    "registry.registered_population": {CITY: 5, BAOCHENG: 3},
    "registry.resident_population": {CITY: 0},
    "registry.floating_population": {CITY: 0},
    "registry.elderly_60": {CITY: 4, BAOCHENG: 2, TAINING: 1, WANNIAN: 1},
    "registry.elderly_65": {CITY: 3, BAOCHENG: 1},
    "registry.elderly_80": {CITY: 1, WANNIAN: 1, DAZHI_STREET: 0},
    "registry.children_0_6": {CITY: 0},
    "registry.ageing_rate": {CITY: Decimal("80.00"), BAOCHENG: Decimal("66.67")},
    "registry.dibao": {CITY: 0},
    "registry.tekun": {CITY: 0},
    "registry.disabled": {CITY: 0},
    "registry.new_people": {CITY: 0},
    "registry.deaths": {CITY: 1, TAINING: 1, BAOCHENG: 0},
    "registry.grids_with_people": {CITY: 1, BAOCHENG: 1, TAINING: 0},
    "cases.submitted": {CITY: 4, BAOCHENG: 3, WANNIAN: 1},
    "cases.received": {CITY: 4, BAOCHENG: 3},
    "cases.closed": {CITY: 4, BAOCHENG: 3, WANNIAN: 1},
    "cases.on_time_rate": {CITY: Decimal("75.00"), BAOCHENG: Decimal("66.67")},
    "cases.overdue_closed": {CITY: 1, BAOCHENG: 1},
    "cases.open_at_end": {CITY: 1, BAOCHENG: 1},
    "cases.overdue_open": {CITY: 1, BAOCHENG: 1, WANNIAN: 0},
    "cases.avg_visits": {CITY: Decimal("1.00"), BAOCHENG: Decimal("1.00"), WANNIAN: 1},
    "cases.one_visit_rate": {CITY: Decimal("75.00"), WANNIAN: Decimal("100.00")},
    "cases.zero_visit_rate": {CITY: Decimal("25.00"), WANNIAN: Decimal("0.00")},
    "cases.online_share": {CITY: Decimal("50.00"), BAOCHENG: Decimal("33.33")},
    "cases.agent_cases": {CITY: 0},
    "cases.approval_rate": {CITY: Decimal("75.00"), WANNIAN: Decimal("0.00")},
    "cases.applicants": {CITY: 3, BAOCHENG: 2, WANNIAN: 1},
    "cases.shared_material_rate": {CITY: None},
    # Current lights: only the open case runs; the sweep has not lit it (still green).
    "cases.running": {CITY: 1, BAOCHENG: 1, WANNIAN: 0},
    "cases.red_light": {CITY: 0},
    "cases.yellow_light": {CITY: 0},
    "cases.green_light": {CITY: 1, BAOCHENG: 1, WANNIAN: 0},
    "evaluation.ratings": {CITY: 4, BAOCHENG: 3},
    "evaluation.satisfaction_rate": {CITY: Decimal("50.00"), BAOCHENG: Decimal("66.67")},
    "evaluation.bad_ratings": {CITY: 2, WANNIAN: 1},
    # Per level: Baocheng 5, 1, 3 (in October), Wannian 2.
    "evaluation.very_satisfied": {CITY: 1, BAOCHENG: 1, WANNIAN: 0},
    "evaluation.satisfied": {CITY: 0},
    "evaluation.basically_satisfied": {CITY: 1, BAOCHENG: 1},
    "evaluation.dissatisfied": {CITY: 1, WANNIAN: 1, BAOCHENG: 0},
    "evaluation.very_dissatisfied": {CITY: 1, BAOCHENG: 1},
    # The ratings are stored directly, without the service that opens rectification tasks.
    "evaluation.rectification_tasks": {CITY: 0},
    "evaluation.rectification_on_time_rate": {CITY: None},
    "evaluation.complaints": {CITY: 0},
    "evaluation.complaints_founded": {CITY: 0},
    "evaluation.complaints_overdue": {CITY: 0},
    "registry.households": {CITY: 0},
}


def test_every_builtin_indicator_has_an_expectation():
    builtin = {
        i.code for i in library.all_indicators() if i.source in ("registry", "cases", "evaluation")
    }
    assert builtin <= set(EXPECTED), sorted(builtin - set(EXPECTED))
    assert len(builtin) >= 30


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_indicator_on_known_data(code, case_data):
    got = engine.table([code], root=CITY, period=PERIOD)[code]
    for unit_code, expected in EXPECTED[code].items():
        value = got[unit_code].value
        assert value == (None if expected is None else Decimal(expected)), (unit_code, value)


def test_whole_city_table_matches_unit_queries(case_data):
    codes = ["cases.on_time_rate", "evaluation.satisfaction_rate", "registry.elderly_60"]
    whole = engine.table(codes, root=CITY, period=PERIOD)
    for code in codes:
        street = engine.values(code, division=DAZHI_STREET, period=PERIOD)
        for unit_code, value in street.items():
            assert whole[code][unit_code] == value


def test_previous_month_counts_state_then(case_data):
    """September: the person who died in October was still alive at the end of September."""
    got = engine.values("registry.population", division=DAZHI_STREET, period="2026-09")
    assert got[TAINING].value == 2
    assert (
        engine.values("cases.closed", division=DAZHI_STREET, period="2026-09")[BAOCHENG].value == 0
    )
