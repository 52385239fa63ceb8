from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bianmin.indicators.models import IndicatorValue
from tests.conftest import DAZHI_STREET

from .conftest import PERIOD


def test_list_prints_codes_and_formulas(db):
    out = StringIO()
    call_command("indicators", "list", stdout=out)
    assert "cases.on_time_rate\tratio\t按时办结率" in out.getvalue()


def test_refresh_stores_values(people):
    out = StringIO()
    call_command(
        "indicators",
        "refresh",
        "--period",
        PERIOD,
        "--root",
        DAZHI_STREET,
        "--code",
        "registry.population",
        stdout=out,
    )
    assert "values" in out.getvalue()
    row = IndicatorValue.objects.get(
        indicator_id="registry.population", unit_code=DAZHI_STREET, period=PERIOD
    )
    assert row.numerator == 4


def test_refresh_refuses_a_bad_period(db):
    with pytest.raises(CommandError, match="统计期"):
        call_command("indicators", "refresh", "--period", "2026-13")
