"""Read models: task and complaint lists, histories, and the figures of the 好差评 dashboard
for a month, quarter or year — per centre/unit and per department (with the centres' stars)
and the totals from the indicator library (`evaluation.*` indicators) over the rows the viewer
sees; per staff member from their own ratings (the library has no per-person breakdown).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from bianmin.core.scope import Scope, current_scope
from bianmin.evaluation import stars as star_rule
from bianmin.evaluation.models import (
    RUNNING,
    Complaint,
    LoopStep,
    RatingLevel,
    RectificationTask,
    StaffRating,
    Stage,
    overdue_q,
)
from bianmin.evaluation.services.common import error, setting
from bianmin.indicators import breakdowns, services
from bianmin.indicators.engine import Value
from bianmin.indicators.library import CENTRE, DEPARTMENT, Period

LEVELS = tuple(RatingLevel.values)  # 5 … 1
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_range(text: str) -> tuple[dt.date, dt.date]:
    """'2026-11' → (2026-11-01, 2026-11-30)."""
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise error("invalid_month", "month")
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# --- lists ----------------------------------------------------------------------------------


def task_list(
    *, on: dt.date, status: str = "", overdue: bool | None = None
) -> QuerySet[RectificationTask]:
    tasks = RectificationTask.objects.select_related(
        "case__item", "rating", "org_unit", "department"
    ).order_by("-opened_at", "-id")
    if status:
        tasks = tasks.filter(status=status)
    if overdue is not None:
        tasks = tasks.filter(overdue_q(on)) if overdue else tasks.exclude(overdue_q(on))
    return tasks


def complaint_list(
    *, on: dt.date, status: str = "", overdue: bool | None = None, q: str = ""
) -> QuerySet[Complaint]:
    complaints = Complaint.objects.select_related(
        "case", "staff", "org_unit", "department"
    ).order_by("-opened_at", "-id")
    if status:
        complaints = complaints.filter(status=status)
    if overdue is not None:
        complaints = (
            complaints.filter(overdue_q(on)) if overdue else complaints.exclude(overdue_q(on))
        )
    if q.strip():
        text = q.strip()
        complaints = complaints.filter(
            Q(complaint_no__icontains=text)
            | Q(complainant_name__icontains=text)
            | Q(content__icontains=text)
        )
    return complaints


def history(*, task: RectificationTask | None = None, complaint: Complaint | None = None):
    owner = {"task": task} if task is not None else {"complaint": complaint}
    return list(LoopStep.objects.filter(**owner).order_by("at", "id"))


# --- the figures: from the indicator library -------------------------------------------------


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass
class Figures:
    """One row of a table (or the period's totals). The centre, department and total rows are
    the indicator library's figures; the staff rows are the staff members' own ratings."""

    key: Any
    name: str
    unit: str = ""  # a staff member's unit
    by_level: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    ratings: int = 0
    tasks: int = 0
    on_time: int = 0
    overdue: int = 0
    complaints: int = 0
    complaints_founded: int = 0
    complaints_overdue: int = 0
    satisfied: int = 0
    bad: int = 0
    # (非常满意 + 满意 + 基本满意) / all ratings, 0–1.
    satisfaction_rate: Decimal | None = None
    # Rectifications answered in time / those whose outcome is known (answered, or past their
    # deadline): a task still within its limit counts for neither. 0–1.
    on_time_rate: Decimal | None = None
    rated_centre: bool = False
    stars: int | None = None

    @property
    def levels(self) -> list[int]:
        return [self.by_level[level] for level in LEVELS]


# The library's codes behind the columns (indicators/builtin/evaluation.py).
LEVEL_CODES = {
    5: "evaluation.very_satisfied",
    4: "evaluation.satisfied",
    3: "evaluation.basically_satisfied",
    2: "evaluation.dissatisfied",
    1: "evaluation.very_dissatisfied",
}
RATINGS = "evaluation.ratings"
SATISFACTION = "evaluation.satisfaction_rate"
BAD = "evaluation.bad_ratings"
TASKS = "evaluation.rectification_tasks"
RECTIFIED = "evaluation.rectification_on_time_rate"
COMPLAINTS = "evaluation.complaints"
FOUNDED = "evaluation.complaints_founded"
COMPLAINTS_OVERDUE = "evaluation.complaints_overdue"
RATING_CODES = (RATINGS, *LEVEL_CODES.values(), SATISFACTION, BAD, TASKS, RECTIFIED)
COMPLAINT_CODES = (COMPLAINTS, FOUNDED, COMPLAINTS_OVERDUE)


RATE_PLACES = Decimal("0.0001")  # a percentage with two decimals, as a fraction


def _fraction(value: Value) -> Decimal | None:
    """The library's percentage as the 0–1 rate the page, exports and API show."""
    return None if value.value is None else (value.value / 100).quantize(RATE_PLACES)


def _library_figures(got: dict[str, Value], key: Any, name: str) -> Figures:
    n = {code: int(v.numerator) for code, v in got.items()}
    rectified = got[RECTIFIED]
    on_time = int(rectified.numerator)
    return Figures(
        key=key,
        name=name,
        by_level={level: n[code] for level, code in LEVEL_CODES.items()},
        ratings=n[RATINGS],
        tasks=n[TASKS],
        on_time=on_time,
        overdue=int(rectified.denominator or 0) - on_time,
        complaints=n[COMPLAINTS],
        complaints_founded=n[FOUNDED],
        complaints_overdue=n[COMPLAINTS_OVERDUE],
        satisfied=n[SATISFACTION],
        bad=n[BAD],
        satisfaction_rate=_fraction(got[SATISFACTION]),
        on_time_rate=_fraction(rectified),
    )


def _viewer(scope: Scope | None) -> Scope | None:
    """The scope given, else the current one (none in the CLI: every row)."""
    return scope if scope is not None else current_scope.get()


def _breakdown(by: str, period: Period, scope: Scope | None) -> list[Figures]:
    """One row per centre or department having ratings or complaints in the period: the
    library's breakdown over the rows `scope` sees. Ratings and complaints are broken down
    apart (complaints offer no item), so one query per table."""
    scope = _viewer(scope)
    got = breakdowns.breakdown(RATING_CODES, by=by, period=period, scope=scope)
    got.update(breakdowns.breakdown(COMPLAINT_CODES, by=by, period=period, scope=scope))
    keys = sorted({key for values in got.values() for key in values})
    zero = {code: services.zero(code) for code in got}
    names = breakdowns.names(by, keys)
    rows = [
        _library_figures(
            {code: got[code].get(key, zero[code]) for code in got}, key or None, names[key]
        )
        for key in keys
    ]
    return sorted(rows, key=lambda f: (-f.ratings, str(f.key or "")))


def by_org_unit(*, period: Period, scope: Scope | None = None) -> list[Figures]:
    """Per centre / unit that accepted the cases (and that complaints concern), with stars
    for the town and village centres (the star rule on the same library figures)."""
    from bianmin.registry.models import OrgUnit

    table = _breakdown(CENTRE, period, scope)
    kinds = {
        code: (kind, level)
        for code, kind, level in OrgUnit.objects.filter(
            code__in=[f.key for f in table if f.key]
        ).values_list("code", "kind", "division__level")
    }
    minimum = setting("STAR_MIN_RATINGS")
    for fig in table:
        if fig.key not in kinds:
            continue
        fig.rated_centre = star_rule.is_rated_centre(*kinds[fig.key])
        if fig.rated_centre:
            fig.stars = star_rule.stars(
                ratings=fig.ratings,
                satisfied=fig.satisfied,
                overdue=fig.overdue + fig.complaints_overdue,
                founded_complaints=fig.complaints_founded,
                min_ratings=minimum,
            )
    return table


def by_department(*, period: Period, scope: Scope | None = None) -> list[Figures]:
    """Per handling department (the item's department; complaints' responsible one)."""
    return _breakdown(DEPARTMENT, period, scope)


def totals(*, period: Period, scope: Scope | None = None) -> Figures:
    codes = (*RATING_CODES, *COMPLAINT_CODES)
    got = breakdowns.total(codes, period=period, scope=_viewer(scope))
    return _library_figures(got, "all", "合计")


# --- per staff member: their own ratings (not an indicator) ------------------------------------


def _staff_rating_counts(on: dt.date) -> dict[str, Count]:
    answered = Q(rating__task__answered_at__isnull=False, rating__task__late=False) & ~Q(
        rating__task__status__in=RUNNING
    )
    counts = {f"l{level}": Count("pk", filter=Q(level=level)) for level in LEVELS}
    return {
        **counts,
        "n": Count("pk"),
        "tasks": Count("rating__task__id"),
        "on_time": Count("pk", filter=answered),
        "overdue": Count("pk", filter=overdue_q(on, "rating__task__")),
    }


def by_staff(*, period: Period) -> list[Figures]:
    """Per window staff member: their own levels (受理/送达, `StaffRating`), complaints about
    them. A personnel table, not an indicator: the library has no per-person breakdown (its
    figures are by area, centre, department and item, published through its pages and API),
    so these are counted here, from the staff ratings, through the scoped managers."""
    on = period.today
    ratings = (
        StaffRating.objects.filter(rated_on__gte=period.start, rated_on__lte=period.end)
        .order_by()
        .values("staff_id", "staff__display_name", "org_unit__name")
        .annotate(**_staff_rating_counts(on))
    )
    complaints = (
        Complaint.objects.filter(opened_on__gte=period.start, opened_on__lte=period.end)
        .filter(staff__isnull=False)
        .order_by()
        .values("staff_id", "staff__display_name", "staff__org_unit__name")
        .annotate(
            n=Count("pk"),
            founded=Count("pk", filter=Q(founded=True)),
            overdue=Count("pk", filter=overdue_q(on)),
        )
    )
    table: dict[Any, Figures] = {}

    def row(r: dict[str, Any], unit: str) -> Figures:
        return table.setdefault(
            r["staff_id"], Figures(r["staff_id"], r["staff__display_name"] or "—", r[unit] or "")
        )

    for r in ratings:
        fig = row(r, "org_unit__name")
        fig.by_level = {level: r[f"l{level}"] for level in LEVELS}
        fig.ratings, fig.tasks = r["n"], r["tasks"]
        fig.on_time, fig.overdue = r["on_time"], r["overdue"]
        fig.satisfied = sum(fig.by_level[level] for level in (5, 4, 3))
        fig.bad = fig.by_level[2] + fig.by_level[1]
        fig.satisfaction_rate = _rate(fig.satisfied, fig.ratings)
        fig.on_time_rate = _rate(fig.on_time, fig.on_time + fig.overdue)
    for r in complaints:
        fig = row(r, "staff__org_unit__name")
        fig.complaints, fig.complaints_founded = r["n"], r["founded"]
        fig.complaints_overdue = r["overdue"]
    return sorted(table.values(), key=lambda f: (-f.ratings, str(f.key)))


@dataclass(frozen=True)
class Stats:
    period: Period
    totals: Figures
    org_units: list[Figures]
    staff: list[Figures]
    departments: list[Figures]

    @property
    def month(self) -> str:
        """The period's key ("2026-10", "2026-Q4", "2026"); the API's `month` field."""
        return str(self.period)

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def end(self) -> dt.date:
        return self.period.end

    @property
    def on(self) -> dt.date:
        return self.period.today


def stats(*, period: str | Period, on: dt.date, scope: Scope | None = None) -> Stats:
    """Everything the evaluation dashboard shows for a month, quarter or year: the library's
    figures over what the viewer sees (`scope`, default the current one) and the staff table.
    "Overdue" is as of `on` (today): a past period's open tasks keep counting as overdue until
    answered."""
    period = Period.parse(period).as_of(on)
    scope = _viewer(scope)
    return Stats(
        period=period,
        totals=totals(period=period, scope=scope),
        org_units=by_org_unit(period=period, scope=scope),
        staff=by_staff(period=period),
        departments=by_department(period=period, scope=scope),
    )


def open_counts(*, on: dt.date) -> dict[str, int]:
    """For the dashboard head: open and overdue tasks and complaints (in scope)."""
    open_q = ~Q(status=Stage.CLOSED)
    tasks = RectificationTask.objects.order_by().aggregate(
        open=Count("pk", filter=open_q), overdue=Count("pk", filter=open_q & overdue_q(on))
    )
    complaints = Complaint.objects.order_by().aggregate(
        open=Count("pk", filter=open_q), overdue=Count("pk", filter=open_q & overdue_q(on))
    )
    return {
        "tasks_open": tasks["open"],
        "tasks_overdue": tasks["overdue"],
        "complaints_open": complaints["open"],
        "complaints_overdue": complaints["overdue"],
    }
