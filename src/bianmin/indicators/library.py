"""The indicator library: indicators declared once, in code, by the app that owns the data.

An app declares its indicators in `<app>/indicators.py` and registers them at import time:

    from bianmin.indicators.library import Indicator, Measure, register

    register(
        Indicator(
            code="cases.received",
            name=_("受理量"),
            unit=_("件"),
            formula=_("统计期内受理的办件数"),
            measure=Measure("cases.Case", date="accepted_on"),
        ),
    )

`IndicatorsConfig.ready()` imports every installed app's `indicators` module (Django's
`autodiscover_modules`), so nothing else needs wiring. See docs/indicators.md.

The vocabulary is deliberately small: what a measure counts is a model, an area field, a date
field with its period semantics and a filter (a dict of lookups, a `Q`, or a callable that
receives the `Period` and returns a `Q` — for "state at month end" conditions). Ratios are a
numerator and a denominator measure computed and rolled up separately and divided last, so a
district's rate is never an average of its communities' rates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.indicators.periods import Period, Year  # noqa: F401 (library.Year for declarers)

# Kinds of a single measure, and of an indicator (a ratio has two measures).
COUNT, SUM, DISTINCT, RATIO = "count", "sum", "distinct", "ratio"
KIND_LABELS = {
    COUNT: _("计数"),
    SUM: _("求和"),
    DISTINCT: _("去重计数"),
    RATIO: _("比率"),
}

# Period semantics of a measure's date field (a period is a month, a quarter or a year).
MONTH = "month"  # rows whose date falls in the period (events: 受理, 办结, 评价 …)
IN_PERIOD = MONTH  # the same, named for quarters and years
AS_OF = "as_of"  # rows that exist at the period's end: date <= last day (state: 人口, 档案 …)
ANY_TIME = "any"  # no date condition (current state, e.g. a register without history)
PERIOD_KINDS = (MONTH, AS_OF, ANY_TIME)

# Breakdowns beside the area roll-up: by the org unit that accepted the matter (a 365 centre,
# a 便民服务室), the handling department, the catalogue item. A model declares once how its
# rows reach each key (`breakdowns("cases.Case", centre="org_unit", …)`: a to-one lookup path
# to an OrgUnit code, a Department code, an item code); a measure may override (`by={…}`).
CENTRE, DEPARTMENT, ITEM = "centre", "department", "item"
BREAKDOWNS = {
    CENTRE: _("受理单位"),
    DEPARTMENT: _("办理部门"),
    ITEM: _("事项"),
}
_BREAKDOWN_PATHS: dict[str, dict[str, str]] = {}


def breakdowns(model: str, **paths: str) -> None:
    """Declare how the rows of `model` ("app_label.Model") break down: `centre=`,
    `department=`, `item=` lookup paths (to-one relations only: a to-many path would count a
    row once per related row)."""
    unknown = set(paths) - set(BREAKDOWNS)
    if unknown:
        raise ValueError(f"{model}: unknown breakdown {sorted(unknown)}; use {sorted(BREAKDOWNS)}")
    _BREAKDOWN_PATHS.setdefault(model, {}).update(paths)


def check_breakdown(by: str) -> str:
    """`by` if it names a breakdown, else ValidationError(code="unknown_breakdown")."""
    if by not in BREAKDOWNS:
        raise ValidationError(
            _("不能按“%(by)s”分列，可选：%(choices)s。"),
            code="unknown_breakdown",
            params={"by": by, "choices": "、".join(BREAKDOWNS)},
        )
    return by


_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


Filter = dict[str, Any] | Q | Callable[[Period], Q] | None


def resolve_filter(where: Filter, period: Period) -> Q:
    if where is None:
        return Q()
    if isinstance(where, Q):
        return where
    if isinstance(where, dict):
        return Q(**where)
    return where(period)


@dataclass(frozen=True, eq=False)
class Measure:
    """What one number counts.

    model:    "app_label.ModelName".
    aggregate: COUNT rows, SUM of `field`, or DISTINCT count of `field`.
    area:     lookup path of the row's division/grid code ("area_code", "case__area_code").
    date:     lookup path of the date (or datetime) the period applies to; None = no date.
    period:   MONTH (date in the month), AS_OF (date on or before month end), ANY_TIME.
    where:    extra condition: dict of lookups, Q, or callable(Period) -> Q.
    changed:  timestamp path used by the incremental refresh to find rows changed since the
              last refresh ("updated_at"); "auto" picks updated_at / created_at if the model
              has one; None = no timestamp, so the indicator is recomputed in full.
    by:       breakdown paths of this measure ({"centre": "case__org_unit"}), overriding the
              model's (`breakdowns(...)`); a breakdown mapped to None is not offered.
    """

    model: str
    aggregate: str = COUNT
    field: str = "pk"
    area: str = "area_code"
    date: str | None = None
    period: str = MONTH
    where: Filter = None
    changed: str | None = "auto"
    by: dict[str, str | None] | None = None

    def __post_init__(self) -> None:
        if self.by and set(self.by) - set(BREAKDOWNS):
            raise ValueError(f"unknown breakdown in {sorted(self.by)}")
        if self.aggregate not in (COUNT, SUM, DISTINCT):
            raise ValueError(f"unknown aggregate {self.aggregate!r}")
        if self.period not in PERIOD_KINDS:
            raise ValueError(f"unknown period semantics {self.period!r}")
        if self.date is None and self.period != ANY_TIME:
            object.__setattr__(self, "period", ANY_TIME)
        if self.aggregate in (SUM, DISTINCT) and self.field == "pk":
            raise ValueError(f"{self.aggregate} needs a field")

    @property
    def additive(self) -> bool:
        """Counts and sums add up from communities to streets; distinct counts do not."""
        return self.aggregate != DISTINCT

    def model_class(self):
        from django.apps import apps

        return apps.get_model(self.model)

    def breakdown_path(self, by: str) -> str | None:
        """The lookup path of the breakdown `by` for this measure's rows, or None."""
        if self.by and by in self.by:
            return self.by[by]
        return _BREAKDOWN_PATHS.get(self.model, {}).get(by)

    def changed_field(self) -> str | None:
        if self.changed != "auto":
            return self.changed
        names = {f.name for f in self.model_class()._meta.get_fields()}
        for candidate in ("updated_at", "created_at"):
            if candidate in names:
                return candidate
        return None


@dataclass(frozen=True, eq=False)
class Indicator:
    """A declared indicator. Give `measure` (count / sum / distinct) or `numerator` and
    `denominator` (ratio, multiplied by `scale`: 100 for a percentage)."""

    code: str
    name: Any  # lazy Chinese string
    unit: Any
    formula: Any  # 公式说明 shown to users
    measure: Measure | None = None
    numerator: Measure | None = None
    denominator: Measure | None = None
    scale: int = 1
    decimals: int = 2
    source: str = ""  # app label; filled in by register() from the caller's module
    category: Any = ""
    description: Any = ""
    numerator_label: Any = ""
    denominator_label: Any = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not _CODE_RE.match(self.code):
            raise ValueError(f"indicator code {self.code!r}: use 'app.name' in lower case")
        single = self.measure is not None
        ratio = self.numerator is not None and self.denominator is not None
        if single == ratio:
            raise ValueError(f"{self.code}: give either measure or numerator + denominator")

    @property
    def kind(self) -> str:
        return RATIO if self.measure is None else self.measure.aggregate

    @property
    def is_ratio(self) -> bool:
        return self.measure is None

    @property
    def breakdowns(self) -> tuple[str, ...]:
        """The breakdowns every measure of the indicator offers (centre, department, item)."""
        return tuple(b for b in BREAKDOWNS if all(m.breakdown_path(b) for m in self.measures()))

    def measures(self) -> tuple[Measure, ...]:
        if self.measure is not None:
            return (self.measure,)
        return (self.numerator, self.denominator)  # type: ignore[return-value]

    def value_of(self, numerator: Decimal | int, denominator: Decimal | int | None) -> Decimal:
        """The figure shown: the count/sum itself, or numerator / denominator × scale (None
        when the denominator is 0: a rate of nothing is not 0%)."""
        quantum = Decimal(1).scaleb(-self.decimals)
        if not self.is_ratio:
            return Decimal(numerator)
        if not denominator:
            return None  # type: ignore[return-value]
        raw = Decimal(numerator) * self.scale / Decimal(denominator)
        return raw.quantize(quantum, ROUND_HALF_UP)


_REGISTRY: dict[str, Indicator] = {}


def register(*indicators: Indicator, source: str = "") -> None:
    """Add indicators to the library. Registering the same code twice with a different
    declaration is a programming error (two apps claiming one code)."""
    for ind in indicators:
        if source and not ind.source:
            object.__setattr__(ind, "source", source)
        if not ind.source:
            object.__setattr__(ind, "source", ind.code.split(".", 1)[0])
        existing = _REGISTRY.get(ind.code)
        if existing is not None and existing.source != ind.source:
            raise ValueError(f"indicator {ind.code!r} is declared by {existing.source} too")
        _REGISTRY[ind.code] = ind


def unregister(code: str) -> None:
    """For tests that declare throw-away indicators."""
    _REGISTRY.pop(code, None)


def get(code: str) -> Indicator:
    """The indicator with this code, or a ValidationError(code="unknown_indicator")."""
    try:
        return _REGISTRY[code]
    except KeyError:
        raise ValidationError(
            _("指标“%(code)s”不存在。"), code="unknown_indicator", params={"code": code}
        ) from None


def require_breakdown(indicator: Indicator, by: str) -> None:
    """ValidationError unless the indicator can be broken down by `by` (unknown_breakdown,
    no_breakdown)."""
    check_breakdown(by)
    if by not in indicator.breakdowns:
        raise ValidationError(
            _("指标“%(name)s”不能按%(by)s分列。"),
            code="no_breakdown",
            params={"name": indicator.name, "by": BREAKDOWNS[by]},
        )


def exists(code: str) -> bool:
    return code in _REGISTRY


def all_indicators(codes: Iterable[str] | None = None) -> list[Indicator]:
    """Every registered indicator (sorted by code), or those named (unknown → error)."""
    if codes is None:
        return [_REGISTRY[c] for c in sorted(_REGISTRY)]
    return [get(c) for c in codes]


def autodiscover() -> None:
    """Import `<app>.indicators` of every installed app (called from ready())."""
    from django.utils.module_loading import autodiscover_modules

    from bianmin.indicators import builtin  # noqa: F401  (registry, cases, evaluation)

    autodiscover_modules("indicators")
