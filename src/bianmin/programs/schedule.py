"""When the next follow-up is due, and how many were due in a period: pure functions of a
program, an enrolment's dates and its visit dates, so they are easy to test and the same for
the page, the sweep and the benchmark."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.programs.models import ScheduleKind, VisitKind


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _yearly_due(program: Any, year: int) -> dt.date:
    month, day = (int(x) for x in program.yearly_due.split("-"))
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def validate_schedule(
    *,
    kind: str,
    interval_months: int | None,
    plan_offsets: Sequence[int],
    yearly_due: str,
    counted_kinds: Sequence[str],
) -> None:
    def bad(message) -> ValidationError:
        return ValidationError({"schedule": ValidationError(message, code="invalid_schedule")})

    if kind not in ScheduleKind.values:
        raise bad(_("随访周期类型无效。"))
    if kind == ScheduleKind.EVERY_N_MONTHS and not (interval_months and 1 <= interval_months <= 60):
        raise bad(_("间隔月数应为1至60。"))
    if kind == ScheduleKind.PLAN:
        offsets = list(plan_offsets)
        if (
            not offsets
            or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets)
            or offsets != sorted(set(offsets))
        ):
            raise bad(_("计划时点应为递增的非负整数月数。"))
    if kind == ScheduleKind.YEARLY:
        try:
            month, day = (int(x) for x in yearly_due.split("-"))
            dt.date(2024, month, day)
        except (ValueError, TypeError):
            raise bad(_("每年截止日格式应为MM-DD。")) from None
    if any(k not in VisitKind.values for k in counted_kinds):
        raise bad(_("计入随访的方式无效。"))


def plan_points(program: Any, *, birth_date: dt.date, enrolled_on: dt.date) -> list[dt.date]:
    anchor = birth_date if program.plan_anchor == "birth" else enrolled_on
    window = dt.timedelta(days=program.plan_window_days)
    # Points that had passed before enrolment are not this program's to catch up on.
    return [
        d
        for d in (add_months(anchor, o) for o in program.plan_offsets)
        if d + window >= enrolled_on
    ]


def match_plan(points: list[dt.date], visits: Sequence[dt.date], window_days: int) -> int:
    """How many plan points are behind us: each visit satisfies the current point, and points
    whose window was missed entirely are skipped once the next point's window opened."""
    window = dt.timedelta(days=window_days)
    i = 0
    for v in sorted(visits):
        while i + 1 < len(points) and points[i + 1] - window <= v:
            i += 1
        if i < len(points) and points[i] - window <= v:
            i += 1
    return i


def next_due(
    program: Any,
    *,
    birth_date: dt.date,
    enrolled_on: dt.date,
    visits: Sequence[dt.date],
    override: dt.date | None = None,
) -> dt.date | None:
    """The next due date given the counted visits (dates, any order). `override` is a date
    the last visitor set; None = nothing more due (a plan completed)."""
    last = max(visits) if visits else None
    if override is not None and (last is None or override > last):
        return override
    if program.schedule_kind == ScheduleKind.EVERY_N_MONTHS:
        if last is None:
            return enrolled_on + dt.timedelta(days=program.first_visit_days)
        return add_months(last, program.interval_months)
    if program.schedule_kind == ScheduleKind.YEARLY:
        if last is None:
            first = enrolled_on + dt.timedelta(days=program.first_visit_days)
            due = _yearly_due(program, enrolled_on.year)
            return max(due, first)
        return _yearly_due(program, last.year + 1)
    points = plan_points(program, birth_date=birth_date, enrolled_on=enrolled_on)
    done = match_plan(points, visits, program.plan_window_days)
    return points[done] if done < len(points) else None


def expected_in_period(
    program: Any,
    *,
    birth_date: dt.date,
    enrolled_on: dt.date,
    exited_on: dt.date | None,
    start: dt.date,
    end: dt.date,
) -> int:
    """How many follow-ups the schedule asked for between start and end (inclusive) while the
    person was enrolled: the denominator of 规范随访率."""
    lo, hi = max(start, enrolled_on), min(end, exited_on or end)
    if lo > hi:
        return 0
    if program.schedule_kind == ScheduleKind.EVERY_N_MONTHS:
        # Completed intervals only: a visit not yet due at the end is not owed in the period
        # (1 Jan – 31 Dec is 12 months → 4 quarterly visits; 1 Jan – 22 Nov is 10 → 3).
        after = hi + dt.timedelta(days=1)
        months = (after.year - lo.year) * 12 + after.month - lo.month
        months -= 1 if after.day < lo.day else 0
        return months // program.interval_months
    if program.schedule_kind == ScheduleKind.YEARLY:
        return sum(1 for y in range(lo.year, hi.year + 1) if lo <= _yearly_due(program, y) <= hi)
    points = plan_points(program, birth_date=birth_date, enrolled_on=enrolled_on)
    return sum(1 for p in points if lo <= p <= hi)
