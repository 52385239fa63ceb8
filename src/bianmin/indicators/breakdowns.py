"""Indicators broken down by centre, department or catalogue item, beside the area roll-up.

    breakdown(["cases.on_time_rate"], by="centre", division="420102002000", period="2026-11")
        → {"cases.on_time_rate": {"DZ-365": Value, "BC-ROOM": Value, …}}
    names("centre", ["DZ-365", …]) → {"DZ-365": "大智街道365便民服务中心", …}

The same declarations and the same engine as the area figures: a model declares once how its
rows reach each key (`library.breakdowns("cases.Case", centre="org_unit", …)`), and the
measures of the requested indicators that read one table are computed in one grouped query,
grouped by the key instead of the area code. `division` keeps only the rows of a unit (the API
checks first that the viewer's scope covers it); without it, the figure of each key is the
system's, over every row. With `scope`, the rows are read through the model's scoped manager,
so the figure is the viewer's: exactly the rows their lists show (a case seen through the
applicant's area or a department's review counts; the 电子监察 and 好差评 dashboards use it).
`total()` is the same figure without a breakdown. Breakdowns are computed live; the store keeps
the area figures only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from bianmin.core.scope import Scope, acting_in
from bianmin.indicators import library
from bianmin.indicators.engine import Value, _aggregate, _batch_where, combine_many, measure_q
from bianmin.indicators.library import CENTRE, DEPARTMENT, ITEM, Measure, Period
from bianmin.indicators.units import prefix_q, unit


def compute_breakdown(
    measures: Iterable[Measure],
    *,
    by: str | None,
    period: Period,
    root: str = "",
    scope: Scope | None = None,
) -> dict[Measure, dict[str, Decimal]]:
    """{measure: {key: amount}}: the measures' rows under `root` (an area prefix; "" = all)
    grouped by the breakdown key `by` (library.CENTRE / DEPARTMENT / ITEM). Measures reading
    the same table with the same area and key path share one grouped query, as in
    `compute_measures`; counts, sums and distinct counts alike are grouped by the key itself,
    so a distinct count is exact per key. Rows without a key (a case not yet accepted by any
    centre) are under "". `by=None`: no grouping, one total under "". With `scope`, only the
    rows the scope sees (the model's scoped manager) are read."""
    period = period.within(root)  # subqueries of `where`s may restrict themselves to it
    batches: dict[tuple, list[Measure]] = defaultdict(list)
    for m in dict.fromkeys(measures):
        path = m.breakdown_path(by) if by is not None else ""
        if path is None:
            raise ValueError(f"{m.model} has no breakdown {by!r}")
        batches[(m.model, m.area, path)].append(m)
    result: dict[Measure, dict[str, Decimal]] = {}
    for (_model, area, path), batch in batches.items():
        model = batch[0].model_class()
        if scope is None:
            base = model._base_manager.filter(_batch_where(batch, period))
        else:
            with acting_in(scope):  # the scope is applied when the queryset is made
                base = model._default_manager.filter(_batch_where(batch, period))
        base = base.order_by()
        if root:
            base = base.filter(prefix_q(area, root))
        aliases = {m: f"m{i}" for i, m in enumerate(batch)}
        aggregates = {aliases[m]: _aggregate(m, measure_q(m, period)) for m in batch}
        for m in batch:
            result.setdefault(m, {})
        if not path:
            got = base.aggregate(**aggregates)
            rows = [("", *(got[aliases[m]] for m in batch))]
        else:
            rows = base.values_list(path).annotate(**aggregates)
        for row in rows:
            key = "" if row[0] is None else str(row[0])
            for m, amount in zip(batch, row[1:], strict=True):
                if amount:
                    target = result[m]
                    target[key] = target.get(key, 0) + amount
    return result


def breakdown(
    codes: Iterable[str],
    *,
    by: str,
    period: str | Period,
    division: str | None = None,
    prefix: str | None = None,
    scope: Scope | None = None,
) -> dict[str, dict[str, Value]]:
    """Indicators per centre, department or item (`by`), for the rows of `division` (a
    division or grid code) or whose area code starts with `prefix` (a viewer's
    `scope.area_prefix`); neither = every row, the system's figure for each key:
    {code: {key: Value}}, every indicator with the same keys (sorted; "" = rows without a
    key). With `scope`, over the rows that scope sees (the viewer's figure). An indicator whose
    measures do not offer `by` → ValidationError(code="no_breakdown"); an unknown `by` →
    "unknown_breakdown"."""
    indicators = library.all_indicators(list(codes))
    for ind in indicators:
        library.require_breakdown(ind, by)
    period = Period.parse(period)
    root = unit(division).prefix if division else (prefix or "")
    measures = [m for ind in indicators for m in ind.measures()]
    amounts = compute_breakdown(measures, by=by, period=period, root=root, scope=scope)
    keys = sorted({k for got in amounts.values() for k in got})
    return {ind.code: combine_many(ind, amounts, keys) for ind in indicators}


def total(
    codes: Iterable[str],
    *,
    period: str | Period,
    division: str | None = None,
    prefix: str | None = None,
    scope: Scope | None = None,
) -> dict[str, Value]:
    """The indicators over all rows of `division` / under `prefix` / that `scope` sees (any
    combination; none = the system's total), one aggregate query per table, no grouping:
    {code: Value}. What a dashboard's head shows beside its breakdown tables."""
    indicators = library.all_indicators(list(codes))
    period = Period.parse(period)
    root = unit(division).prefix if division else (prefix or "")
    measures = [m for ind in indicators for m in ind.measures()]
    amounts = compute_breakdown(measures, by=None, period=period, root=root, scope=scope)
    return {ind.code: combine_many(ind, amounts, [""])[""] for ind in indicators}


def names(by: str, keys: Iterable[str]) -> dict[str, str]:
    """Display names of breakdown keys: org unit, department or item names (the latest
    version of an item); a key without a name shows itself, "" shows “未指定”."""
    from bianmin.catalog.models import ServiceItem
    from bianmin.registry.models import Department, OrgUnit

    wanted = [k for k in dict.fromkeys(keys) if k]
    found: dict[str, str] = {}
    if by == CENTRE:
        found = dict(OrgUnit.objects.filter(code__in=wanted).values_list("code", "name"))
    elif by == DEPARTMENT:
        found = dict(Department.objects.filter(code__in=wanted).values_list("code", "name"))
    elif by == ITEM:
        rows = ServiceItem.objects.filter(code__in=wanted).order_by("code", "version")
        found = dict(rows.values_list("code", "name"))  # the last version's name wins
    unnamed = {
        CENTRE: _("未指定受理单位"),
        DEPARTMENT: _("未指定部门"),
        ITEM: _("未指定事项"),
    }
    return {k: found.get(k, k) if k else unnamed.get(by, _("未指定")) for k in keys}


def unit_breakdown(
    code: str, *, by: str, division: str, period: str | Period
) -> tuple[Value, list[tuple[str, str, Value]]]:
    """What the values API (`?by=`) and the values page show: the unit's figure, then
    (key, display name, Value) for each centre / department / item with rows in the unit
    ("" = none). `no_breakdown` / `unknown_breakdown` as `breakdown`."""
    from bianmin.indicators import engine

    ind = library.get(code)
    library.require_breakdown(ind, by)
    period = Period.parse(period)
    place = unit(division)
    total_value = engine.values(ind.code, division=place.code, period=period)[place.code]
    got = breakdown([ind.code], by=by, division=place.code, period=period)[ind.code]
    labels = names(by, got)
    return total_value, [(key, labels[key], value) for key, value in got.items()]
