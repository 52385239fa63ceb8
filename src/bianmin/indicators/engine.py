"""Computing declared indicators for org units, and the rows behind a number.

    values("cases.on_time_rate", division="420102002000", period="2026-11")
        → {"420102002000": Value(...), "420102002003": Value(...), …}   the unit, then its children
    table(["cases.received", …], root="420100", period="2026-11")
        → {"cases.received": {"420100": Value, "420102": Value, …, grid: Value}, …}   every unit
    rows("cases.on_time_rate", division="420102002003", period="2026-11", part="numerator")
        → the scoped queryset of the cases counted in that numerator

How: the measures of all requested indicators are grouped into batches that read the same table
with the same period condition; each batch is one grouped query with one filtered aggregate per
measure. Counts and sums are grouped by the raw area code once and added up into every prefix
(grid → community → street → district → city) in Python; distinct counts do not add up, so
they are grouped by `Substr(area, 1, n)` once per level. Ratios divide after the roll-up.

Figures are the system's: computed without the viewer's scope (the API checks first that the
viewer covers the unit). Drill-down rows go through the model's scoped manager, so a viewer sees
only the rows their scope allows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from bianmin.core.scope import Scope, acting_in
from bianmin.indicators import library
from bianmin.indicators.library import (
    AS_OF,
    COUNT,
    DISTINCT,
    MONTH,
    SUM,
    Indicator,
    Measure,
    Period,
)
from bianmin.indicators.units import Unit, children, prefix_q, subtree, unit

ZERO = Decimal(0)


@dataclass(frozen=True)
class Value:
    """One figure: for a ratio, numerator / denominator (× scale); otherwise the count or sum
    (denominator None)."""

    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "numerator": _number(self.numerator),
            "denominator": _number(self.denominator),
            "value": _number(self.value),
        }


def _number(d: Decimal | None) -> int | float | None:
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() and d.as_tuple().exponent >= 0 else float(d)


# --- period and filter conditions -------------------------------------------------------------


def _is_datetime(model: type[models.Model], path: str) -> bool:
    field = _resolve_field(model, path)
    return isinstance(field, models.DateTimeField)


def _resolve_field(model: type[models.Model], path: str) -> models.Field:
    opts = model._meta
    parts = path.split("__")
    for i, part in enumerate(parts):
        field = opts.get_field(part)
        if i < len(parts) - 1:
            opts = field.related_model._meta
    return field


def period_q(measure: Measure, period: Period) -> Q:
    if measure.date is None or measure.period == library.ANY_TIME:
        return Q()
    model = measure.model_class()
    dt_field = _is_datetime(model, measure.date)
    if measure.period == MONTH:
        if dt_field:
            return Q(
                **{f"{measure.date}__gte": period.start_at, f"{measure.date}__lt": period.end_at}
            )
        return Q(**{f"{measure.date}__gte": period.start, f"{measure.date}__lte": period.end})
    assert measure.period == AS_OF
    if dt_field:
        return Q(**{f"{measure.date}__lt": period.end_at})
    return Q(**{f"{measure.date}__lte": period.end})


def measure_q(measure: Measure, period: Period) -> Q:
    """Everything that selects a measure's rows, except the area."""
    return period_q(measure, period) & library.resolve_filter(measure.where, period)


def _aggregate(measure: Measure, condition: Q):
    if measure.aggregate == COUNT:
        return Count("pk", filter=condition or None)
    if measure.aggregate == SUM:
        return Sum(measure.field, filter=condition or None)
    return Count(measure.field, filter=condition or None, distinct=True)


# --- the grouped computation ------------------------------------------------------------------


def _batches(measures: Iterable[Measure]) -> dict[tuple, list[Measure]]:
    """Measures reading the same table by the same area field share one query: one scan of the
    table, each measure's period and filter inside its own aggregate."""
    out: dict[tuple, list[Measure]] = defaultdict(list)
    for m in dict.fromkeys(measures):  # distinct, in order
        out[(m.model, m.area)].append(m)
    return out


def _batch_where(batch: list[Measure], period: Period) -> Q:
    """The OR of the batch's period conditions (no condition if one measure has none), so
    rows no measure can count are not read."""
    seen: dict[tuple, Q] = {}
    for m in batch:
        seen.setdefault((m.date, m.period), period_q(m, period))
    if any(not q for q in seen.values()):
        return Q()
    where = Q()
    for q in seen.values():
        where |= q
    return where


def compute_measures(
    measures: Iterable[Measure],
    *,
    period: Period,
    root: str = "",
    lengths: Iterable[int],
    areas: Iterable[str] | None = None,
    raw: bool = False,
) -> dict[Measure, dict[str, Decimal]]:
    """{measure: {prefix: amount}} for every prefix of the given lengths under `root` that
    has rows. With `raw`, additive measures are left per raw area code (the partials the
    incremental refresh keeps; `roll_up` them). With `areas`, only rows whose raw area code is
    one of them are read."""
    lengths = sorted({n for n in lengths if n >= len(root)})
    period = period.within(root)  # subqueries of `where`s may restrict themselves to it
    result: dict[Measure, dict[str, Decimal]] = {}
    area_list = None if areas is None else sorted(set(areas))
    for (_model, area), batch in _batches(measures).items():
        model = batch[0].model_class()
        base = model._base_manager.filter(_batch_where(batch, period)).order_by()
        if root:
            base = base.filter(prefix_q(area, root))
        if area_list is not None:
            base = base.filter(**{f"{area}__in": area_list})
        conditions = {m: measure_q(m, period) for m in batch}
        aliases = {m: f"m{i}" for i, m in enumerate(batch)}
        additive = [m for m in batch if m.additive]
        distinct = [m for m in batch if not m.additive]
        if additive:
            rows = base.values_list(area).annotate(
                **{aliases[m]: _aggregate(m, conditions[m]) for m in additive}
            )
            per_code: dict[Measure, dict[str, Decimal]] = {m: {} for m in additive}
            targets = [per_code[m] for m in additive]
            for row in rows.iterator(chunk_size=10000):
                code = row[0] or ""
                for target, amount in zip(targets, row[1:], strict=True):
                    if amount:
                        target[code] = target.get(code, 0) + amount
            for m in additive:
                result[m] = per_code[m] if raw else roll_up(per_code[m], lengths)
        for n in lengths if distinct else ():
            rows = (
                base.annotate(_unit=Substr(area, 1, n))
                .values_list("_unit")
                .annotate(**{aliases[m]: _aggregate(m, conditions[m]) for m in distinct})
            )
            for row in rows:
                prefix = row[0] or ""
                if len(prefix) != n:
                    continue
                for m, amount in zip(distinct, row[1:], strict=True):
                    if amount:
                        result.setdefault(m, {})[prefix] = amount
        for m in distinct:
            result.setdefault(m, {})
    return result


def roll_up(raw: dict[str, Decimal], lengths: Iterable[int]) -> dict[str, Decimal]:
    """Add each raw area code's amount into its prefixes of the given lengths."""
    out: dict[str, Decimal] = defaultdict(int)
    lengths = sorted(lengths)
    for code, amount in raw.items():
        size = len(code)
        for n in lengths:
            if n > size:
                break
            out[code[:n]] += amount
    return dict(out)


def combine(indicator: Indicator, amounts: dict[Measure, dict[str, Decimal]], prefix: str) -> Value:
    """One unit's Value (for many units at once use `combine_many`)."""
    return combine_many(indicator, amounts, [prefix])[prefix]


def combine_many(
    indicator: Indicator, amounts: dict[Measure, dict[str, Decimal]], prefixes: Iterable[str]
) -> dict[str, Value]:
    """{prefix: Value}: the hot loop of a whole-city report, so zeros share one Value and the
    ratio's constants are looked up once."""
    out: dict[str, Value] = {}
    if not indicator.is_ratio:
        got = amounts.get(indicator.measure, {})
        zero = Value(ZERO, None, ZERO)
        for p in prefixes:
            n = got.get(p)
            out[p] = Value(Decimal(n), None, Decimal(n)) if n else zero
        return out
    nums = amounts.get(indicator.numerator, {})
    dens = amounts.get(indicator.denominator, {})
    quantum = Decimal(1).scaleb(-indicator.decimals)
    scale = indicator.scale
    empty = Value(ZERO, ZERO, None)
    for p in prefixes:
        num, den = nums.get(p, 0), dens.get(p, 0)
        if not num and not den:
            out[p] = empty
            continue
        num, den = Decimal(num), Decimal(den)
        value = (num * scale / den).quantize(quantum, ROUND_HALF_UP) if den else None
        out[p] = Value(num, den, value)
    return out


def _compute(
    indicators: list[Indicator], *, period: Period, units: list[Unit], root: str
) -> dict[str, dict[str, Value]]:
    measures = [m for ind in indicators for m in ind.measures()]
    lengths = {u.length for u in units}
    amounts = compute_measures(measures, period=period, root=root, lengths=lengths)
    out: dict[str, dict[str, Value]] = {}
    for ind in indicators:
        by_prefix = combine_many(ind, amounts, [u.prefix for u in units])
        out[ind.code] = {u.code: by_prefix[u.prefix] for u in units}
    return out


# --- public API -------------------------------------------------------------------------------


def values(code: str, *, division: str, period: str | Period) -> dict[str, Value]:
    """The value for `division` (a division or grid code) and each unit directly under it,
    keyed by unit code, the unit itself first."""
    return values_many([code], division=division, period=period)[code]


def values_many(
    codes: Iterable[str], *, division: str, period: str | Period
) -> dict[str, dict[str, Value]]:
    """Several indicators for a unit and its children, in one pass per table."""
    indicators = library.all_indicators(list(codes))
    period = Period.parse(period)
    parent = unit(division)
    units = [parent, *children(parent)]
    return _compute(indicators, period=period, units=units, root=parent.prefix)


def table(
    codes: Iterable[str] | None = None,
    *,
    root: str,
    period: str | Period,
    units: list[Unit] | None = None,
) -> dict[str, dict[str, Value]]:
    """Indicators for `root` (a division code) and every division and grid under it, in one
    pass: what a monthly report of the whole city needs. {code: {unit code: Value}}."""
    indicators = library.all_indicators(None if codes is None else list(codes))
    period = Period.parse(period)
    top = unit(root)
    return _compute(indicators, period=period, units=units or subtree(top), root=top.prefix)


PARTS = ("numerator", "denominator")


def rows(
    code: str,
    *,
    division: str,
    period: str | Period,
    part: str | None = None,
    scope: Scope | None = None,
    by: str | None = None,
    key: str | None = None,
) -> models.QuerySet:
    """The rows behind a number: the measure's rows in the unit and period, through the
    model's scoped manager (the viewer's scope — `scope`, else the request's — applies). For a
    ratio, `part` picks "numerator" or "denominator" (default numerator). With `by` and `key`,
    only the rows of that centre / department / item ("" = rows without one)."""
    indicator = library.get(code)
    place = unit(division)
    period = Period.parse(period).within(place.prefix)
    if indicator.is_ratio:
        measure = indicator.denominator if part == "denominator" else indicator.numerator
    else:
        measure = indicator.measure
    model = measure.model_class()
    keyed = Q()
    if by is not None:
        library.require_breakdown(indicator, by)
        path = measure.breakdown_path(by)
        keyed = Q(**{f"{path}__isnull": True}) if not key else Q(**{path: key})

    def build() -> models.QuerySet:
        return model._default_manager.filter(
            measure_q(measure, period) & keyed & prefix_q(measure.area, place.prefix)
        )

    if scope is None:
        return build()
    with acting_in(scope):
        return build()


def amount_q(measure: Measure, period: Period, prefix: str) -> Q:
    """The full condition of a measure's rows in a unit (for hand-written checks)."""
    return measure_q(measure, period) & Q(**{f"{measure.area}__startswith": prefix})


__all__ = [
    "DISTINCT",
    "PARTS",
    "SUM",
    "Value",
    "combine",
    "compute_measures",
    "measure_q",
    "rows",
    "table",
    "values",
    "values_many",
]
