"""The Chinese working-day calendar that time limits (限时办结) are counted in.

A day's status: an administrator's `WorkdayOverride` first, then the `chinesecalendar` package
(statutory holidays and 调休 working weekends) for the years it covers, else Monday–Friday.
A year is covered when the package covers it or an administrator has published it
(`WorkdayYear`). Anything computed from an uncovered year is a guess: the strict functions
raise `CalendarNotCovered`; the `*_provisional` variants return the guess marked
`provisional=True`, for callers that must still show something (cases store the flag and show
it to supervisors).

Counting convention, shared by every function: working days are counted in the half-open
interval (start, end] — the start day never counts, the end day does. So
`workdays_between(s, add_workdays(s, n)) == n` for every n ≥ 1.

Speed: the override table is read once per process (two queries) into an immutable snapshot
with per-year prefix sums, so counting is O(years spanned) with no query. Saving or deleting
an override or a published year invalidates the snapshot (signals in `core.models`, again on
commit); other processes pick the change up within `BIANMIN["WORKDAY_CACHE_SECONDS"]`
(default 300 s) — the table changes a few times a year.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_left
from calendar import isleap
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import chinese_calendar
from chinese_calendar import constants as package_data
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction, WorkdayOverride, WorkdayYear

T = TypeVar("T")
_ONE_DAY = dt.timedelta(days=1)

PACKAGE_VERSION: str = getattr(chinese_calendar, "__version__", "?")
# The package itself accepts exactly this range (it raises NotImplementedError outside it).
PACKAGE_YEARS = range(
    min(package_data.holidays).year,
    max(max(package_data.holidays).year, max(package_data.workdays).year) + 1,
)


class CalendarNotCovered(ValidationError):
    """A computation needed a day of a year whose holiday notice is not in the calendar."""

    def __init__(self, year: int):
        super().__init__(
            _(
                "%(year)s年的法定节假日和调休安排尚未录入工作日历，不能按工作日计算期限。"
                "请管理员按国务院办公厅通知录入%(year)s年的放假和调休日期，并发布该年度日历。"
            ),
            code="calendar_not_covered",
            params={"year": year},
        )
        self.year = year

    def english(self) -> str:
        # The CLI prints both languages; the web gets English through locale/en.
        return (
            f"The working-day calendar does not cover {self.year}: enter the State Council "
            f"holiday notice for {self.year} as workday overrides and publish the year."
        )


@dataclass(frozen=True)
class CalendarResult(Generic[T]):
    """A computed value; `provisional` when part of it was guessed with the weekday rule."""

    value: T
    provisional: bool = False
    uncovered_years: tuple[int, ...] = ()


# --- the snapshot ---------------------------------------------------------------------------


def _day_of_year(day: dt.date) -> int:
    return day.timetuple().tm_yday


def _days_in_year(year: int) -> int:
    return 366 if isleap(year) else 365


class _Calendar:
    """Immutable view of the override table; prefix sums are filled lazily, per year."""

    def __init__(self, overrides: dict[dt.date, bool], published: frozenset[int]):
        self.overrides = overrides
        self.published = published
        self.loaded_at = time.monotonic()
        # prefix[year][i] = working days among the first i days of the year.
        self._prefix: dict[int, list[int]] = {}

    def covered(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self.published

    def day_is_workday(self, day: dt.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def prefix(self, year: int) -> list[int]:
        sums = self._prefix.get(year)
        if sums is None:
            sums, count, day = [0], 0, dt.date(year, 1, 1)
            while day.year == year:
                count += self.day_is_workday(day)
                sums.append(count)
                if day.month == 12 and day.day == 31:
                    break
                day += _ONE_DAY
            # Two threads may build the same year; both results are equal, the last one stays.
            self._prefix[year] = sums
        return sums


class _Tally:
    """Collects the uncovered years a computation touched; strict mode raises on the first."""

    def __init__(self, calendar: _Calendar, strict: bool):
        self.calendar, self.strict, self.years = calendar, strict, []

    def touch(self, year: int) -> None:
        if self.calendar.covered(year):
            return
        if self.strict:
            raise CalendarNotCovered(year)
        if year not in self.years:
            self.years.append(year)

    def result(self, value: T) -> CalendarResult[T]:
        return CalendarResult(value, bool(self.years), tuple(self.years))


_snapshot: _Calendar | None = None
_local = threading.local()  # .dirty_txn: this thread's transaction that edited the calendar


def _load() -> _Calendar:
    overrides = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
    published = frozenset(WorkdayYear.objects.values_list("year", flat=True))
    return _Calendar(overrides, published)


def _ttl() -> float:
    return float(getattr(settings, "BIANMIN", {}).get("WORKDAY_CACHE_SECONDS", 300))


def _calendar() -> _Calendar:
    global _snapshot
    dirty = getattr(_local, "dirty_txn", None)
    if dirty is not None:
        conn = connections[DEFAULT_DB_ALIAS]
        if conn.in_atomic_block and conn.atomic_blocks[0] is dirty:
            # Uncommitted edits: this transaction must see them, but caching them would keep a
            # rolled-back holiday alive for everyone.
            return _load()
        _local.dirty_txn = None
        _snapshot = None
    snapshot = _snapshot
    if snapshot is None or time.monotonic() - snapshot.loaded_at > _ttl():
        snapshot = _snapshot = _load()
    return snapshot


def invalidate_cache() -> None:
    global _snapshot
    _snapshot = None


def calendar_changed(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Called by the model signals whenever an override or a published year is saved/deleted."""
    invalidate_cache()
    conn = connections[using]
    if conn.in_atomic_block:
        _local.dirty_txn = conn.atomic_blocks[0]
        # Other transactions see the change only now, and may have cached the old table since.
        transaction.on_commit(invalidate_cache, using=using)


# --- computations ---------------------------------------------------------------------------


def _as_date(value: dt.date) -> dt.date:
    # A datetime is a date subclass that never equals a date: overrides would silently miss it,
    # and a UTC timestamp's .date() is the wrong day before 08:00 in Shanghai.
    if isinstance(value, dt.datetime):
        raise TypeError("pass a date: timezone.localdate(value) for a stored datetime")
    return value


def _add(start: dt.date, n: int, tally: _Tally) -> dt.date:
    _as_date(start)
    if n < 0:
        raise ValueError("n must be ≥ 0")
    calendar = tally.calendar
    if n == 0:
        tally.touch(start.year)
        if calendar.day_is_workday(start):
            return start
        n = 1
    year, done = start.year, _day_of_year(start)  # `done`: days of `year` already passed
    while True:
        if done == _days_in_year(year):
            year, done = year + 1, 0
            continue
        tally.touch(year)
        sums = calendar.prefix(year)
        left = sums[-1] - sums[done]
        if n <= left:
            index = bisect_left(sums, sums[done] + n)
            return dt.date(year, 1, 1) + dt.timedelta(days=index - 1)
        n -= left
        year, done = year + 1, 0


def _between(start: dt.date, end: dt.date, tally: _Tally) -> int:
    _as_date(start)
    _as_date(end)
    if end < start:
        return -_between(end, start, tally)
    if end == start:
        return 0
    first = start + _ONE_DAY
    total = 0
    for year in range(first.year, end.year + 1):
        tally.touch(year)
        sums = tally.calendar.prefix(year)
        low = _day_of_year(start) if year == start.year else 0
        high = _day_of_year(end) if year == end.year else len(sums) - 1
        total += sums[high] - sums[low]
    return total


def is_workday(day: dt.date) -> bool:
    """Whether `day` is a working day. Raises `CalendarNotCovered` for an uncovered year."""
    tally = _Tally(_calendar(), strict=True)
    tally.touch(_as_date(day).year)
    return tally.calendar.day_is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (which never counts, working day or not).

    n = 0 means "the same day": `start` if it is a working day, else the next working day —
    an 即办件 received on a Saturday online is due on Monday. Raises `CalendarNotCovered` when
    any day the count passes through lies in an uncovered year.
    """
    return _add(start, n, _Tally(_calendar(), strict=True))


def add_workdays_provisional(start: dt.date, n: int) -> CalendarResult[dt.date]:
    """`add_workdays`, but an uncovered year is guessed (overrides entered so far, then
    Monday–Friday) and the result is marked provisional instead of raising."""
    tally = _Tally(_calendar(), strict=False)
    return tally.result(_add(start, n, tally))


def next_workday(day: dt.date) -> dt.date:
    """The first working day strictly after `day`."""
    return add_workdays(day, 1)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when `end` is before `start`.

    Elapsed time of a case: `workdays_between(received, today)`; remaining time:
    `workdays_between(today, due)` — negative once overdue, by the working days overdue.
    """
    return _between(start, end, _Tally(_calendar(), strict=True))


def workdays_between_provisional(start: dt.date, end: dt.date) -> CalendarResult[int]:
    tally = _Tally(_calendar(), strict=False)
    return tally.result(_between(start, end, tally))


# --- coverage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    year: int
    by_package: bool
    published: WorkdayYear | None
    overrides: list[WorkdayOverride] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return self.by_package or self.published is not None


def is_covered(year: int) -> bool:
    return _calendar().covered(year)


def coverage(year: int) -> Coverage:
    """What the calendar knows about `year`, read fresh from the database (for admins/CLI)."""
    return Coverage(
        year=year,
        by_package=year in PACKAGE_YEARS,
        published=WorkdayYear.objects.select_related("published_by").filter(year=year).first(),
        overrides=list(WorkdayOverride.objects.filter(date__year=year).order_by("date")),
    )


# --- administrator's edits ------------------------------------------------------------------


def set_override(
    *, actor: Actor, day: dt.date, is_workday: bool, name: str = "", note: str = ""
) -> WorkdayOverride:
    """Enter or change the status of one day (audited)."""
    with transaction.atomic():
        override = WorkdayOverride.objects.select_for_update().filter(date=day).first()
        creating = override is None
        before = {} if creating else {"is_workday": override.is_workday, "name": override.name}
        if creating:
            override = WorkdayOverride(date=day, created_by_id=actor.user_id)
        override.is_workday, override.name, override.note = is_workday, name, note
        override.full_clean(validate_unique=False)
        override.save()
        audit.record(
            actor,
            AuditAction.CREATE if creating else AuditAction.UPDATE,
            object_type="workday_override",
            object_id=day.isoformat(),
            object_label=str(override),
            changes={"before": before, "is_workday": is_workday, "name": name},
        )
    return override


def remove_override(*, actor: Actor, day: dt.date) -> None:
    with transaction.atomic():
        override = WorkdayOverride.objects.select_for_update().filter(date=day).first()
        if override is None:
            return
        label = str(override)
        override.delete()
        audit.record(
            actor,
            AuditAction.DELETE,
            object_type="workday_override",
            object_id=day.isoformat(),
            object_label=label,
        )


def check_publishable(year: int) -> None:
    """Refuse to publish a year the package already covers, or one with nothing entered."""
    if year in PACKAGE_YEARS:
        raise ValidationError(
            _("%(year)s年已由 chinesecalendar 数据包覆盖，无需发布。"),
            code="calendar_year_in_package",
            params={"year": year},
        )
    if not WorkdayOverride.objects.filter(date__year=year).exists():
        raise ValidationError(
            _("%(year)s年尚未录入任何放假或调休日期，请先按国务院办公厅通知录入，再发布该年度。"),
            code="calendar_year_empty",
            params={"year": year},
        )


def publish_year(*, actor: Actor, year: int, source: str) -> WorkdayYear:
    """Declare `year`'s holiday notice fully entered: the year becomes covered (audited)."""
    if not source.strip():
        raise ValidationError(_("请填写发布依据（通知名称和文号）。"), code="required")
    with transaction.atomic():
        check_publishable(year)
        # Re-publishing corrects the source; who published first stays on record.
        published, created = WorkdayYear.objects.update_or_create(
            year=year,
            defaults={"source": source.strip()},
            create_defaults={"source": source.strip(), "published_by_id": actor.user_id},
        )
        audit.record(
            actor,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            object_type="workday_year",
            object_id=str(year),
            object_label=f"{year}",
            changes={"source": published.source},
        )
    return published


def withdraw_year(*, actor: Actor, year: int) -> None:
    """Undo a publication: the year is guessed (provisional) again."""
    with transaction.atomic():
        deleted, _rows = WorkdayYear.objects.filter(year=year).delete()
        if deleted:
            audit.record(actor, AuditAction.DELETE, object_type="workday_year", object_id=str(year))
