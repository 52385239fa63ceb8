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

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Kinds of a single measure, and of an indicator (a ratio has two measures).
COUNT, SUM, DISTINCT, RATIO = "count", "sum", "distinct", "ratio"
KIND_LABELS = {
    COUNT: _("计数"),
    SUM: _("求和"),
    DISTINCT: _("去重计数"),
    RATIO: _("比率"),
}

# Period semantics of a measure's date field.
MONTH = "month"  # rows whose date falls in the month (events: 受理, 办结, 评价 …)
AS_OF = "as_of"  # rows that exist at month end: date <= last day (state: 人口, 档案 …)
ANY_TIME = "any"  # no date condition (current state, e.g. a register without history)
PERIOD_KINDS = (MONTH, AS_OF, ANY_TIME)

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Period:
    """A calendar month, "YYYY-MM"."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        match = _MONTH_RE.match((text or "").strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise ValidationError(
                _("统计期“%(period)s”无效，应为年月，如 2026-11。"),
                code="invalid_period",
                params={"period": text},
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the month."""
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def next_start(self) -> dt.date:
        return self.end + dt.timedelta(days=1)

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_at(self) -> dt.datetime:
        """First moment after the month (exclusive bound for datetime fields)."""
        return timezone.make_aware(dt.datetime.combine(self.next_start, dt.time.min))

    def previous(self) -> Period:
        return Period.of(self.start - dt.timedelta(days=1))

    def years_before_end(self, years: int) -> dt.date:
        """The latest birth date of someone aged `years` or more on the last day of the month
        (29 February births count from 1 March in common years)."""
        end = self.end
        try:
            return end.replace(year=end.year - years)
        except ValueError:  # 29 Feb → 28 Feb
            return end.replace(year=end.year - years, day=28)


@dataclass(frozen=True)
class Year(Period):
    """A calendar year, for yearly reports computed live (`engine.values(…, period=Year(2025))`):
    MONTH measures count the whole year, AS_OF ones the state on 31 December. It is the month
    of December with the year as its start, so a declaration reading "the twelve months to the
    period's end" (health) gives the calendar year. Stored values stay monthly."""

    month: int = 12

    def __post_init__(self) -> None:
        if self.month != 12:
            raise ValueError("a Year ends in December")

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}"

    def previous(self) -> Year:
        return Year(self.year - 1)


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
    """

    model: str
    aggregate: str = COUNT
    field: str = "pk"
    area: str = "area_code"
    date: str | None = None
    period: str = MONTH
    where: Filter = None
    changed: str | None = "auto"

    def __post_init__(self) -> None:
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
