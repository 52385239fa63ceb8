from __future__ import annotations

from decimal import Decimal

from bianmin.indicators import engine
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN, TAINING

from .conftest import PERIOD


def test_population_rolls_up_from_grid_to_district(people):
    got = engine.values("registry.population", division=DAZHI_STREET, period=PERIOD)
    assert got[DAZHI_STREET].value == 4  # 3 in Baocheng, 1 alive in Taining
    assert got[BAOCHENG].value == 3
    assert got[TAINING].value == 1
    district = engine.values("registry.population", division=JIANGAN, period=PERIOD)
    assert district[JIANGAN].value == 4


def test_ageing_rate_is_a_ratio_of_sums(people):
    got = engine.values("registry.ageing_rate", division=DAZHI_STREET, period=PERIOD)
    assert got[BAOCHENG].numerator == 2 and got[BAOCHENG].denominator == 3
    assert got[BAOCHENG].value == Decimal("66.67")
    assert got[TAINING].value == Decimal("100.00")
    assert got[DAZHI_STREET].value == Decimal("75.00")  # 3/4, not the mean of 66.67 and 100
