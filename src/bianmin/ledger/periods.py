"""Reporting periods: a monthly, quarterly or yearly period written as a key ("2026-10",
"2026-Q3", "2026"), its first and last day, and whether it is over."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTHLY, QUARTERLY, YEARLY = "monthly", "quarterly", "yearly"
_PATTERNS = {
    MONTHLY: re.compile(r"^(\d{4})-(\d{2})$"),
    QUARTERLY: re.compile(r"^(\d{4})-Q([1-4])$"),
    YEARLY: re.compile(r"^(\d{4})$"),
}


@dataclass(frozen=True)
class Period:
    frequency: str
    key: str
    start: dt.date
    end: dt.date  # last day, inclusive

    @property
    def label(self) -> str:
        if self.frequency == MONTHLY:
            return f"{self.start.year}年{self.start.month}月"
        if self.frequency == QUARTERLY:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年"

    def is_over(self, today: dt.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.end

    def months(self) -> list[Period]:
        """The months inside the period (the rows of a 'periods' report)."""
        out, month = [], self.start
        while month <= self.end:
            out.append(parse(MONTHLY, f"{month.year}-{month.month:02d}"))
            month = _add_month(month)
        return out

    def previous(self) -> Period:
        return containing(self.frequency, self.start - dt.timedelta(days=1))


def _add_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def parse(frequency: str, key: str) -> Period:
    pattern = _PATTERNS.get(frequency)
    match = pattern.match(key or "") if pattern else None
    if match is None:
        raise ValidationError(
            _("所属期“%(key)s”的格式不对（月报如 2026-10，季报如 2026-Q3，年报如 2026）。"),
            code="bad_period",
            params={"key": key},
        )
    year = int(match.group(1))
    if frequency == MONTHLY:
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValidationError(
                _("所属期“%(key)s”的月份不对。"), code="bad_period", params={"key": key}
            )
        start = dt.date(year, month, 1)
        end = _add_month(start) - dt.timedelta(days=1)
    elif frequency == QUARTERLY:
        quarter = int(match.group(2))
        start = dt.date(year, quarter * 3 - 2, 1)
        end = _add_month(dt.date(year, quarter * 3, 1)) - dt.timedelta(days=1)
    else:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Period(frequency, key, start, end)


def containing(frequency: str, day: dt.date) -> Period:
    if frequency == MONTHLY:
        return parse(frequency, f"{day.year}-{day.month:02d}")
    if frequency == QUARTERLY:
        return parse(frequency, f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return parse(frequency, f"{day.year}")


def last_closed(frequency: str, today: dt.date | None = None) -> Period:
    """The most recent period that is over: what is due for submission now."""
    return containing(frequency, today or timezone.localdate()).previous()
