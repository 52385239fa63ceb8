"""Statistical periods of the indicator library: a month ("2026-10"), a quarter ("2026-Q3") or
a year ("2026").

A period is one window of dates: an indicator over a quarter is computed over the quarter's
rows at once (one query), not added up from its months, so a person seen in two months of the
quarter is one person (distinct counts) and a ratio over distinct counts divides the quarter's
figures. "State" measures (`AS_OF`) are taken at the period's last day.

`on` is the day the figures are taken: a condition that depends on *today* (a rectification
overdue as of today) uses `period.today`, so a figure can be recomputed as it stood on a given
day (the star ratings of a month computed on the 5th of the next).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")
LENGTHS = (1, 3, 12)  # a month, a quarter, a year


def _invalid(text) -> ValidationError:
    return ValidationError(
        _("统计期“%(period)s”无效，应为年月（如 2026-11）、季度（如 2026-Q3）或年度（如 2026）。"),
        code="invalid_period",
        params={"period": text},
    )


@dataclass(frozen=True)
class Period:
    """A month (`months=1`, the default), a quarter (3) or a year (12), starting at
    `year`-`month`."""

    year: int
    month: int
    months: int = 1
    on: dt.date | None = None
    # The area prefix the figures are computed for ("" = everywhere), set by the engine
    # (`within`): a `where` whose subqueries read other tables (health's "diagnosed",
    # "checked this year") restricts them to it, so PostgreSQL reads only that area's rows.
    area: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.months not in LENGTHS or not 1 <= self.month <= 12:
            raise _invalid(f"{self.year}-{self.month} × {self.months}")
        if (self.month - 1) % self.months:
            raise _invalid(f"{self.year}-{self.month} × {self.months}")

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        raw = (text or "").strip() if isinstance(text, str) else ""
        if match := _MONTH_RE.match(raw):
            year, month, months = int(match.group(1)), int(match.group(2)), 1
            if not 1 <= month <= 12:
                raise _invalid(text)
        elif match := _QUARTER_RE.match(raw):
            year, month, months = int(match.group(1)), int(match.group(2)) * 3 - 2, 3
        elif match := _YEAR_RE.match(raw):
            year, month, months = int(match.group(1)), 1, 12
        else:
            raise _invalid(text)
        if year < 1900:
            raise _invalid(text)
        return cls(year, month, months)

    @classmethod
    def of(cls, day: dt.date) -> Period:
        """The month of `day`."""
        return cls(day.year, day.month)

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        """The month, quarter or year from `start` (a first day) to `end` (a last day)."""
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        period = cls(start.year, start.month, months) if months in LENGTHS else None
        if period is None or start.day != 1 or period.end != end:
            raise _invalid(f"{start}…{end}")
        return period

    def __str__(self) -> str:
        if self.months == 12:
            return f"{self.year:04d}"
        if self.months == 3:
            return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def is_month(self) -> bool:
        return self.months == 1

    def as_of(self, day: dt.date | None) -> Period:
        """The same period, its figures taken on `day` (None: today)."""
        return replace(self, on=day)

    def within(self, prefix: str) -> Period:
        """The same period, computed for the rows under `prefix` (the engine sets it)."""
        return replace(self, area=prefix or "")

    @property
    def today(self) -> dt.date:
        """The day the figures are taken (for conditions such as "overdue as of today")."""
        return self.on or timezone.localdate()

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period."""
        last = self.month + self.months - 1
        return dt.date(self.year, last, calendar.monthrange(self.year, last)[1])

    @property
    def next_start(self) -> dt.date:
        return self.end + dt.timedelta(days=1)

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_at(self) -> dt.datetime:
        """First moment after the period (exclusive bound for datetime fields)."""
        return timezone.make_aware(dt.datetime.combine(self.next_start, dt.time.min))

    @property
    def label(self) -> str:
        """“2026年11月”, “2026年第3季度”, “2026年” (translated)."""
        if self.months == 12:
            return str(_("%(year)d年") % {"year": self.year})
        if self.months == 3:
            quarter = (self.month - 1) // 3 + 1
            return str(_("%(year)d年第%(quarter)d季度") % {"year": self.year, "quarter": quarter})
        return str(_("%(year)d年%(month)d月") % {"year": self.year, "month": self.month})

    def next(self) -> Period:
        """The period of the same length just after."""
        day = self.next_start
        return Period(day.year, day.month, self.months, self.on)

    def previous(self) -> Period:
        """The period of the same length just before."""
        day = self.start - dt.timedelta(days=1)
        first = day.month - (day.month - 1) % self.months
        return Period(day.year, first, self.months, self.on)

    def month_periods(self) -> list[Period]:
        """The months inside the period."""
        return [Period(self.year, self.month + i, 1, self.on) for i in range(self.months)]

    def years_before_end(self, years: int) -> dt.date:
        """The latest birth date of someone aged `years` or more on the last day of the period
        (29 February births count from 1 March in common years)."""
        end = self.end
        try:
            return end.replace(year=end.year - years)
        except ValueError:  # 29 Feb → 28 Feb
            return end.replace(year=end.year - years, day=28)


def recent(today: dt.date, *, months: int = 12, quarters: int = 4, years: int = 3) -> list[Period]:
    """The periods a period selector offers, newest first: this month and the months before
    it, this quarter and those before, this year and those before (reports are monthly,
    quarterly and yearly; the current one is open, figures so far)."""
    out: list[Period] = []
    for length, count in ((1, months), (3, quarters), (12, years)):
        p = Period(today.year, today.month - (today.month - 1) % length, length)
        for _i in range(count):
            out.append(p)
            p = p.previous()
    return out


def Year(year: int) -> Period:
    """The calendar year `year` as one period (`Period.parse("2025")`): events of the whole
    year, states on 31 December — the yearly reports computed live (health's page)."""
    return Period(int(year), 1, 12)
