"""The inspection calendar (监督频率, seed 004 篇7): A once a year, B twice, C three times, an
ungraded place once (its first grading), a poor place a re-inspection on the first working
day after its rectification deadline. Visits are spread evenly over the rest of the year,
staggered by place so the inspectors' months stay even."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.core.workdays import add_workdays_provisional
from bianmin.hygiene import grading
from bianmin.hygiene.models import Grade, Inspection, PlannedInspection, PublicPlace
from bianmin.hygiene.services.common import error, today


def _workday_on_or_after(day: dt.date) -> dt.date:
    return add_workdays_provisional(day, 0).value


def _routine_dates(place: PublicPlace, visits: int, start: dt.date, year: int) -> list[dt.date]:
    """`visits` dates between `start` and the year's end, evenly apart, offset by place."""
    end = dt.date(year, 12, 31)
    span = (end - start).days + 1
    if visits <= 0 or span <= 0:
        return []
    step = span / visits
    offset = (place.pk * 7919) % max(1, int(step))  # stagger places within a slot
    dates = []
    for i in range(visits):
        day = start + dt.timedelta(days=int(i * step) + offset)
        day = min(_workday_on_or_after(min(day, end)), end)
        dates.append(day)
    return dates


def _reinspection(place: PublicPlace, year: int) -> list[dt.date]:
    last = (
        Inspection.objects.filter(place=place, grade=Grade.POOR, rectify_by__isnull=False)
        .order_by("-inspected_on", "-id")
        .first()
    )
    if last is None:
        return []
    day = add_workdays_provisional(last.rectify_by, 1).value
    return [day] if day.year == year else []


def plan_place(*, place: PublicPlace, year: int, start: dt.date) -> list[PlannedInspection]:
    """Replace the place's open visits from `start` on with the ones its grade now calls for;
    visits already done stay. A routine visit already done this year counts toward the
    grade's number."""
    PlannedInspection.objects.filter(place=place, done__isnull=True, due_on__gte=start).delete()
    if not place.active or start.year > year:
        return []
    rows: list[PlannedInspection] = []
    if place.grade == Grade.POOR:
        for day in _reinspection(place, year):
            rows.append(
                PlannedInspection(
                    place=place,
                    area_code=place.area_code,
                    due_on=max(day, start),
                    reason=PlannedInspection.Reason.REINSPECT,
                    basis_grade=place.grade,
                )
            )
    else:
        wanted = grading.visits_per_year(place.grade)
        # Graded inspections already made this year count toward the number (the grading
        # inspection itself is one of them); one that found the place poor does not.
        done = (
            Inspection.objects.filter(place=place, inspected_on__year=year, inspected_on__lt=start)
            .exclude(grade=Grade.POOR)
            .count()
        )
        if place.grade and done:
            wanted = max(0, wanted - done)
        reason = PlannedInspection.Reason.ROUTINE if place.grade else PlannedInspection.Reason.FIRST
        for day in _routine_dates(place, wanted, start, year):
            rows.append(
                PlannedInspection(
                    place=place,
                    area_code=place.area_code,
                    due_on=day,
                    reason=reason,
                    basis_grade=place.grade,
                )
            )
    return PlannedInspection.objects.bulk_create(rows)


@transaction.atomic
def generate_plan(
    *, actor: Actor, year: int, on: dt.date | None = None, only_missing: bool = False
) -> int:
    """The year's calendar for every active place in the actor's area, from `on` (today, or
    1 January of a later year). Visits already done are kept; returns the visits planned.
    `only_missing` leaves places that already have an open visit in the year alone (the daily
    job: a calendar inspectors work from must not reshuffle itself every night)."""
    on = on or today()
    if not 2000 <= int(year) <= on.year + 1:
        raise error("invalid_year", "year")
    start = max(on, dt.date(year, 1, 1))
    count = 0
    places = PublicPlace.objects.filter(active=True).order_by("pk")
    if only_missing:
        planned = PlannedInspection.objects.filter(done__isnull=True, due_on__year=year).values(
            "place_id"
        )
        places = places.exclude(pk__in=planned)
    for place in places:
        count += len(plan_place(place=place, year=year, start=start))
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="hygiene.plan",
        object_id=str(year),
        object_label=f"{year}年公共场所卫生监督检查计划",
        changes={"visits": count},
    )
    return count


def plan_this_year() -> int:
    """Background job: keep this year's calendar generated (and next year's in December)."""
    from bianmin.core.audit import SYSTEM

    on = today()
    count = generate_plan(actor=SYSTEM, year=on.year, on=on, only_missing=True)
    if on.month == 12:
        count += generate_plan(actor=SYSTEM, year=on.year + 1, on=on, only_missing=True)
    return count
