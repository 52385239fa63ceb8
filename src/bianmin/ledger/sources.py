"""The one place the ledger reads the indicator library (`bianmin.indicators`).

Computed cells are never calculated here: every figure comes from the indicator library's
engine, so a number in a report, on the dashboard and in the indicator pages is the same
number. This module only adapts the library to what a report needs: a chosen set of units for
a month, a quarter or a year.

A quarter or a year is one period of the library (`Period.parse("2026-Q3")`), computed over
the whole period at once: events are counted over the quarter, states taken at its last day,
a distinct count counts a person seen in two months once, and a ratio divides the quarter's
numerator by its denominator — never a sum or an average of monthly figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from bianmin.indicators import engine, library, units
from bianmin.indicators.library import Period


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit: str
    formula: str
    category: str
    decimals: int = 0


def _info(indicator: library.Indicator) -> IndicatorInfo:
    return IndicatorInfo(
        code=indicator.code,
        name=str(indicator.name),
        unit=str(indicator.unit or ""),
        formula=str(indicator.formula or ""),
        category=str(indicator.category or ""),
        decimals=indicator.decimals if indicator.is_ratio else 0,
    )


def catalogue() -> list[IndicatorInfo]:
    return [_info(i) for i in library.all_indicators()]


def lookup(code: str) -> IndicatorInfo | None:
    return _info(library.get(code)) if code and library.exists(code) else None


def child_units(division_code: str) -> list[units.Unit]:
    """The units directly under a division, as the indicator library sees them (a
    community's children are its grids)."""
    return units.children(units.unit(division_code))


def figures(
    codes: Iterable[str], *, root: str, unit_codes: Iterable[str], period: Period
) -> dict[tuple[str, str], Decimal | None]:
    """{(indicator code, unit code): value} for the units (all under `root`) over `period`
    (a month, quarter or year of the library), one grouped query per table."""
    indicators = library.all_indicators(list(dict.fromkeys(codes)))
    wanted = [units.unit(code) for code in dict.fromkeys(unit_codes)]
    if not indicators or not wanted:
        return {}
    top = units.unit(root)
    measures = list(dict.fromkeys(m for i in indicators for m in i.measures()))
    lengths = {u.length for u in wanted}
    amounts = engine.compute_measures(measures, period=period, root=top.prefix, lengths=lengths)
    return {
        (i.code, u.code): engine.combine(i, amounts, u.prefix).value
        for i in indicators
        for u in wanted
    }


def library_period(start: dt.date, end: dt.date) -> Period:
    """The library's period for a report's (or a row's) first and last day."""
    return Period.between(start, end)
