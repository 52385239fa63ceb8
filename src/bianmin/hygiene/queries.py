"""Read models: place lists, a place's history, the month's calendar, the public list."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from bianmin.hygiene.models import Inspection, PlannedInspection, PublicPlace, SheetItem


def places(*, q: str = "", place_type: str = "", grade: str = "") -> QuerySet[PublicPlace]:
    rows = PublicPlace.objects.all()
    if q.strip():
        rows = rows.filter(
            Q(name__contains=q.strip())
            | Q(operator_name__contains=q.strip())
            | Q(licence_no=q.strip())
        )
    if place_type:
        rows = rows.filter(place_type=place_type)
    if grade:
        rows = rows.filter(grade=grade)
    return rows.order_by("area_code", "name")


def public_places(*, q: str = "", place_type: str = "", grade: str = "") -> QuerySet[PublicPlace]:
    """公示: every active graded place, whoever asks (no login, so no scope)."""
    rows = PublicPlace.unscoped.filter(active=True).exclude(grade="")
    if q.strip():
        rows = rows.filter(Q(name__contains=q.strip()) | Q(address__contains=q.strip()))
    if place_type:
        rows = rows.filter(place_type=place_type)
    if grade:
        rows = rows.filter(grade=grade)
    return rows.order_by("place_type", "name").only(
        "name", "place_type", "address", "grade", "last_inspected_on", "licence_no"
    )


@dataclass(frozen=True)
class ScoredItem:
    item: SheetItem
    points: str | None
    failed: bool


def scored_items(inspection: Inspection) -> list[ScoredItem]:
    items = SheetItem.objects.filter(sheet__place_type=inspection.place.place_type).order_by("seq")
    failed = {int(x) for x in inspection.key_failed}
    return [ScoredItem(i, inspection.scores.get(str(i.pk)), i.pk in failed) for i in items]


def history(place: PublicPlace) -> QuerySet[Inspection]:
    return Inspection.objects.filter(place=place).order_by("-inspected_on", "-id")


def month_calendar(*, year: int, month: int) -> list[tuple[dt.date, list[PlannedInspection]]]:
    """The month's planned visits by day (days without visits left out)."""
    last = calendar.monthrange(year, month)[1]
    rows = (
        PlannedInspection.objects.filter(
            due_on__gte=dt.date(year, month, 1), due_on__lte=dt.date(year, month, last)
        )
        .select_related("place", "done")
        .order_by("due_on", "place__name")
    )
    days: dict[dt.date, list[PlannedInspection]] = {}
    for row in rows:
        days.setdefault(row.due_on, []).append(row)
    return sorted(days.items())
