"""Read models: task and complaint lists, histories, and the monthly figures (电子监察) per
staff member, per centre/unit and per department, with the centres' stars.

Every figure is a grouped query over one table (ratings, joined 1:1 to their task; staff
ratings; complaints): two queries per table of the dashboard, however many rows. Rows come
through the scoped managers, so a supervisor sees their own area's figures.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from bianmin.evaluation import stars as star_rule
from bianmin.evaluation.models import (
    RUNNING,
    Complaint,
    LoopStep,
    Rating,
    RatingLevel,
    RectificationTask,
    StaffRating,
    Stage,
    overdue_q,
)
from bianmin.evaluation.services.common import error, setting

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


# --- the monthly figures --------------------------------------------------------------------


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass
class Figures:
    """One row of a monthly table (or the month's totals)."""

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
    rated_centre: bool = False
    stars: int | None = None

    @property
    def satisfied(self) -> int:
        return sum(self.by_level[level] for level in (5, 4, 3))

    @property
    def bad(self) -> int:
        return self.by_level[2] + self.by_level[1]

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """(非常满意 + 满意 + 基本满意) / all ratings."""
        return _rate(self.satisfied, self.ratings)

    @property
    def on_time_rate(self) -> Decimal | None:
        """Rectifications answered in time / those whose outcome is known (answered, or past
        their deadline): a task still within its limit counts for neither."""
        return _rate(self.on_time, self.on_time + self.overdue)

    @property
    def levels(self) -> list[int]:
        return [self.by_level[level] for level in LEVELS]


def _rating_counts(on: dt.date, task: str) -> dict[str, Count]:
    """Counts over rating rows; `task` is the path to the rating's task ("task__")."""
    answered = Q(**{f"{task}answered_at__isnull": False, f"{task}late": False}) & ~Q(
        **{f"{task}status__in": RUNNING}
    )
    counts = {f"l{level}": Count("pk", filter=Q(level=level)) for level in LEVELS}
    return {
        **counts,
        "n": Count("pk"),
        "tasks": Count(f"{task}id"),
        "on_time": Count("pk", filter=answered),
        "overdue": Count("pk", filter=overdue_q(on, task)),
    }


def _complaint_counts(on: dt.date) -> dict[str, Count]:
    return {
        "n": Count("pk"),
        "founded": Count("pk", filter=Q(founded=True)),
        "overdue": Count("pk", filter=overdue_q(on)),
    }


def _fill_ratings(fig: Figures, row: dict[str, Any]) -> None:
    fig.by_level = {level: row[f"l{level}"] for level in LEVELS}
    fig.ratings, fig.tasks = row["n"], row["tasks"]
    fig.on_time, fig.overdue = row["on_time"], row["overdue"]


def _fill_complaints(fig: Figures, row: dict[str, Any]) -> None:
    fig.complaints, fig.complaints_founded = row["n"], row["founded"]
    fig.complaints_overdue = row["overdue"]


def _table(
    rating_rows, complaint_rows, *, key: str, name: str, unit: str | None = None
) -> list[Figures]:
    table: dict[Any, Figures] = {}
    for row in rating_rows:
        fig = table.setdefault(
            row[key], Figures(row[key], row[name] or "—", row[unit] if unit else "")
        )
        _fill_ratings(fig, row)
    for row in complaint_rows:
        if row[key] is None:
            continue
        fig = table.setdefault(
            row[key], Figures(row[key], row[name] or "—", row[unit] if unit else "")
        )
        _fill_complaints(fig, row)
    return sorted(table.values(), key=lambda f: (-f.ratings, str(f.key)))


def _ratings(start: dt.date, end: dt.date) -> QuerySet[Rating]:
    return Rating.objects.filter(rated_on__gte=start, rated_on__lte=end).order_by()


def _complaints(start: dt.date, end: dt.date) -> QuerySet[Complaint]:
    return Complaint.objects.filter(opened_on__gte=start, opened_on__lte=end).order_by()


def by_org_unit(*, start: dt.date, end: dt.date, on: dt.date) -> list[Figures]:
    """Per centre / unit that accepted the cases (and that complaints concern), with stars
    for the town and village centres."""
    group = ("org_unit_id", "org_unit__name", "org_unit__kind", "org_unit__division__level")
    ratings = _ratings(start, end).values(*group).annotate(**_rating_counts(on, "task__"))
    complaints = _complaints(start, end).values(*group).annotate(**_complaint_counts(on))
    kinds = {r["org_unit_id"]: r for r in [*ratings, *complaints]}
    table = _table(ratings, complaints, key="org_unit_id", name="org_unit__name")
    minimum = setting("STAR_MIN_RATINGS")
    for fig in table:
        meta = kinds[fig.key]
        fig.rated_centre = star_rule.is_rated_centre(
            meta["org_unit__kind"], meta["org_unit__division__level"]
        )
        if fig.rated_centre:
            fig.stars = star_rule.stars(
                ratings=fig.ratings,
                satisfied=fig.satisfied,
                overdue=fig.overdue + fig.complaints_overdue,
                founded_complaints=fig.complaints_founded,
                min_ratings=minimum,
            )
    return table


def by_staff(*, start: dt.date, end: dt.date, on: dt.date) -> list[Figures]:
    """Per window staff member: their own levels (受理/送达), complaints about them."""
    ratings = (
        StaffRating.objects.filter(rated_on__gte=start, rated_on__lte=end)
        .order_by()
        .values("staff_id", "staff__display_name", "org_unit__name")
        .annotate(**_rating_counts(on, "rating__task__"))
    )
    complaints = (
        _complaints(start, end)
        .filter(staff__isnull=False)
        .values("staff_id", "staff__display_name", "staff__org_unit__name")
        .annotate(**_complaint_counts(on))
    )
    for row in complaints:
        row["org_unit__name"] = row.pop("staff__org_unit__name")
    return _table(
        ratings, complaints, key="staff_id", name="staff__display_name", unit="org_unit__name"
    )


def by_department(*, start: dt.date, end: dt.date, on: dt.date) -> list[Figures]:
    """Per handling department (the item's department; complaints' responsible one)."""
    group = ("department_id", "department__name")
    ratings = _ratings(start, end).values(*group).annotate(**_rating_counts(on, "task__"))
    complaints = _complaints(start, end).values(*group).annotate(**_complaint_counts(on))
    return _table(ratings, complaints, key="department_id", name="department__name")


def totals(*, start: dt.date, end: dt.date, on: dt.date) -> Figures:
    fig = Figures("all", "合计")
    _fill_ratings(fig, _ratings(start, end).aggregate(**_rating_counts(on, "task__")))
    _fill_complaints(fig, _complaints(start, end).aggregate(**_complaint_counts(on)))
    return fig


@dataclass(frozen=True)
class MonthStats:
    month: str
    start: dt.date
    end: dt.date
    on: dt.date
    totals: Figures
    org_units: list[Figures]
    staff: list[Figures]
    departments: list[Figures]


def month_stats(*, month: str, on: dt.date) -> MonthStats:
    """Everything the monthly evaluation dashboard shows, in eight queries. "Overdue" is as
    of `on` (today): a past month's open tasks keep counting as overdue until answered."""
    start, end = month_range(month)
    return MonthStats(
        month=month,
        start=start,
        end=end,
        on=on,
        totals=totals(start=start, end=end, on=on),
        org_units=by_org_unit(start=start, end=end, on=on),
        staff=by_staff(start=start, end=end, on=on),
        departments=by_department(start=start, end=end, on=on),
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
