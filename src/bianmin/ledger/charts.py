"""The figures behind the supervisors' dashboard, as JSON for ECharts and for the tables
beside the charts. Every number comes from the indicator library: by area (the division, the
units below it) and, for the overdue cases of each department, broken down by the item's
handling department (`breakdowns.breakdown(…, by="department")`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.indicators import breakdowns, engine, library
from bianmin.ledger import periods
from bianmin.registry.models import Division

TREND = ["cases.received", "cases.closed", "cases.on_time_rate", "evaluation.satisfaction_rate"]
BY_UNIT = [
    "cases.received",
    "cases.overdue_open",
    "cases.on_time_rate",
    "evaluation.satisfaction_rate",
]
KEY_POPULATIONS = [
    "registry.elderly_60",
    "registry.elderly_80",
    "registry.disabled",
    "registry.dibao",
    "registry.tekun",
    "registry.children_0_6",
]
MONTHS = 12


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _known(codes: list[str]) -> list[str]:
    return [c for c in codes if library.exists(c)]


def coverage_codes() -> list[str]:
    """Coverage rates declared by other apps (programs, health: 规范管理率 …) join the
    key-population chart as they appear in the library."""
    return [i.code for i in library.all_indicators() if i.code.endswith("coverage_rate")]


def _meta(codes: list[str]) -> dict[str, dict[str, str]]:
    out = {}
    for code in codes:
        ind = library.get(code)
        out[code] = {"name": str(ind.name), "unit": str(ind.unit), "formula": str(ind.formula)}
    return out


def figures(division: Division, *, month: str | None = None) -> dict[str, Any]:
    last = periods.parse(periods.MONTHLY, month or f"{timezone.localdate():%Y-%m}")
    months = [last]
    while len(months) < MONTHS:
        months.insert(0, months[0].previous())
    trend_codes, unit_codes = _known(TREND), _known(BY_UNIT)
    population_codes = _known(KEY_POPULATIONS) + coverage_codes()
    trend: dict[str, list] = {c: [] for c in trend_codes}
    for m in months:
        got = engine.values_many(trend_codes, division=division.code, period=m.key)
        for code in trend_codes:
            trend[code].append(_num(got[code][division.code].value))
    current = engine.values_many(
        list(dict.fromkeys(unit_codes + population_codes)), division=division.code, period=last.key
    )
    units = [u for u in current[unit_codes[0]] if u != division.code] if unit_codes else []
    names = dict(Division.objects.filter(code__in=units).values_list("code", "name"))
    from bianmin.registry.models import Grid

    names.update(
        {g.code: f"{g.name}" for g in Grid.unscoped.filter(code__in=units).only("code", "name")}
    )
    by_unit = {c: [_num(current[c][u].value) for u in units] for c in unit_codes}
    population = {c: [_num(current[c][u].value) for u in units] for c in population_codes}
    totals = {c: _num(current[c][division.code].value) for c in current}
    return {
        "division": {"code": division.code, "name": division.name},
        "month": last.key,
        "month_label": last.label,
        "months": [m.key for m in months],
        "indicators": _meta(list(dict.fromkeys(trend_codes + unit_codes + population_codes))),
        "totals": totals,
        "trend": trend,
        "units": [{"code": u, "name": names.get(u, u)} for u in units],
        "by_unit": by_unit,
        "key_population": population,
        "overdue_by_department": overdue_by_department(division, last),
        # Chart labels, translated here (the script has no catalogue).
        "labels": {
            "overdue": _("超期（红灯）"),
            "warning": _("临近到期（黄灯）"),
            "cases": _("件"),
            "people": _("人"),
        },
    }


# Overdue by department: the warning lights now, and the month's closures (a department shows
# when it has cases running or closed in the month).
BY_DEPARTMENT = ["cases.red_light", "cases.yellow_light", "cases.running", "cases.closed"]


def overdue_by_department(division: Division, month: periods.Period) -> list[dict[str, Any]]:
    """Per handling department of the cases accepted in the division: red / yellow lights and
    cases running now, for those with cases running or closed in the month."""
    got = breakdowns.breakdown(
        BY_DEPARTMENT, by=library.DEPARTMENT, division=division.code, period=month.key
    )
    red, yellow, running, closed = (got[c] for c in BY_DEPARTMENT)
    names = breakdowns.names(library.DEPARTMENT, red)
    rows = [
        {
            "department": key or None,
            "name": names[key] if key else _("未指定部门"),
            "overdue": int(red[key].value),
            "warning": int(yellow[key].value),
            "running": int(running[key].value),
        }
        for key in red
        if running[key].value or closed[key].value
    ]
    return rows


def _show(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value}{'%' if unit == '%' else ''}"


KPIS = [
    "cases.received",
    "cases.on_time_rate",
    "evaluation.satisfaction_rate",
    "cases.overdue_open",
]


def tables(data: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's figures as plain tables (what the charts show, readable without them)."""
    meta = data["indicators"]

    def header(code: str) -> str:
        unit = meta[code]["unit"]
        return f"{meta[code]['name']}（{unit}）" if unit else meta[code]["name"]

    kpis = [
        {"code": c, "name": meta[c]["name"], "value": _show(data["totals"].get(c), meta[c]["unit"])}
        for c in KPIS
        if c in meta and c in data["totals"]
    ]
    trend_codes = list(data["trend"])
    unit_codes = list(data["by_unit"])
    population_codes = list(data["key_population"])
    sections = [
        {
            "key": "trend",
            "title": _("逐月趋势"),
            "first": _("月份"),
            "headers": [header(c) for c in trend_codes],
            "rows": [
                (m, [_show(data["trend"][c][i]) for c in trend_codes])
                for i, m in enumerate(data["months"])
            ],
        },
        {
            "key": "overdue",
            "title": _("各部门在办超期件"),
            "first": _("部门"),
            "headers": [_("超期（红灯）"), _("临近到期（黄灯）"), _("在办")],
            "rows": [
                (r["name"], [r["overdue"], r["warning"], r["running"]])
                for r in data["overdue_by_department"]
            ],
        },
        {
            "key": "units",
            "title": _("下级单位"),
            "first": _("单位"),
            "headers": [header(c) for c in unit_codes],
            "rows": [
                (u["name"], [_show(data["by_unit"][c][i]) for c in unit_codes])
                for i, u in enumerate(data["units"])
            ],
        },
        {
            "key": "population",
            "title": _("重点人群"),
            "first": _("单位"),
            "headers": [header(c) for c in population_codes],
            "rows": [
                (u["name"], [_show(data["key_population"][c][i]) for c in population_codes])
                for i, u in enumerate(data["units"])
            ],
        },
    ]
    return {"kpis": kpis, "sections": sections}
