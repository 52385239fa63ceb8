"""The one place the ledger reads the indicator library (`bianmin.indicators`).

Computed cells are never calculated here: every figure comes from the indicator library's
engine, so a number in a report, on the dashboard and in the indicator pages is the same
number. This module only adapts the library to what a report needs: several months at once
(a quarterly or yearly report) and a chosen set of units.

Longer periods from months, per measure (before any ratio is divided): a measure over events
in the month (`MONTH`) adds up over the months; a state measure (`AS_OF`, `ANY_TIME`) is taken
at the last month's end. A ratio is then numerator / denominator of those totals, never an
average of monthly rates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from bianmin.indicators import engine, library, units
from bianmin.indicators.library import MONTH, Period


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
    codes: Iterable[str], *, root: str, unit_codes: Iterable[str], months: list[str]
) -> dict[tuple[str, str], Decimal | None]:
    """{(indicator code, unit code): value} for the units (all under `root`) over the months."""
    indicators = library.all_indicators(list(dict.fromkeys(codes)))
    wanted = [units.unit(code) for code in dict.fromkeys(unit_codes)]
    if not indicators or not wanted or not months:
        return {}
    top = units.unit(root)
    measures = list(dict.fromkeys(m for i in indicators for m in i.measures()))
    lengths = {u.length for u in wanted}
    totals: dict[library.Measure, dict[str, Decimal]] = {m: {} for m in measures}
    for month in sorted(months):
        amounts = engine.compute_measures(
            measures, period=Period.parse(month), root=top.prefix, lengths=lengths
        )
        for measure in measures:
            got = amounts.get(measure, {})
            if measure.period == MONTH:
                into = totals[measure]
                for prefix, amount in got.items():
                    into[prefix] = into.get(prefix, Decimal(0)) + amount
            else:
                totals[measure] = dict(got)
    return {
        (i.code, u.code): engine.combine(i, totals, u.prefix).value
        for i in indicators
        for u in wanted
    }
