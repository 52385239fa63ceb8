"""Recording a 量化评分 inspection: every item scored within its range, key items judged,
the grade worked out by the rule, a rectification deadline for a poor place, and the place's
calendar brought in line with its new grade (动态管理)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.core.provisional import correct_each
from bianmin.core.workdays import add_workdays_provisional
from bianmin.hygiene import grading
from bianmin.hygiene.models import Grade, Inspection, PlannedInspection, PublicPlace, SheetItem
from bianmin.hygiene.services.common import error, setting, today
from bianmin.hygiene.services.plans import plan_place


def _place(place_id: Any) -> PublicPlace:
    try:
        place = PublicPlace.objects.select_for_update().filter(pk=int(place_id)).first()
    except (TypeError, ValueError):
        place = None
    if place is None:
        raise error("unknown_place", "place")
    if not place.active:
        raise error("place_closed", "place", name=place.name)
    return place


def _points(item: SheetItem, value: Any) -> Decimal:
    params = {"seq": item.seq, "item": item.content, "max": item.max_points}
    if value is None or str(value).strip() == "":
        raise error("score_required", f"item_{item.pk}", **params)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise error("score_range", f"item_{item.pk}", **params) from None
    if not number.is_finite() or number < 0 or number > item.max_points:
        raise error("score_range", f"item_{item.pk}", **params)
    return number


@transaction.atomic
def record_inspection(
    *,
    actor: Actor,
    place: Any,
    inspected_on: dt.date,
    inspectors: str,
    scores: Mapping[Any, Any],
    key_failed: Iterable[Any] = (),
    notes: str = "",
    user_id: int | None = None,
) -> Inspection:
    """`scores`: {item id: points} for every item of the place's sheet; `key_failed`: the ids
    of the ※ items judged not compliant (a ※ item scored 0 counts as failed too)."""
    target = _place(place)
    if inspected_on > today():
        raise error("future_date", "inspected_on")
    inspectors = (inspectors or "").strip()
    if len(inspectors) < 2:
        raise error("inspectors_required", "inspectors")
    items = list(SheetItem.objects.filter(sheet__place_type=target.place_type).order_by("seq"))
    if not items:
        raise error("no_sheet", type=target.get_place_type_display())
    by_id = {str(item.pk): item for item in items}
    for key in scores:
        if str(key) not in by_id:
            raise error("unknown_item", item=key)
    given = {str(k): v for k, v in scores.items()}
    points = {item.pk: _points(item, given.get(str(item.pk))) for item in items}
    failed = []
    for key in key_failed:
        item = by_id.get(str(key))
        if item is None:
            raise error("unknown_item", item=key)
        if not item.key:
            raise error("not_key_item", seq=item.seq)
        failed.append(item.pk)
    # A ※ item given no points at all is not compliant, ticked or not.
    failed += [item.pk for item in items if item.key and points[item.pk] == 0]
    total = grading.standardised_total(
        (points[item.pk], item.max_points, item.weight) for item in items
    )
    grade = grading.grade_for(total, key_failed=bool(failed))
    rectify_by, rectify_days, rectify_provisional = None, None, False
    if grade == Grade.POOR:
        rectify_days = setting("HYGIENE_RECTIFY_WORKDAYS")
        limit = add_workdays_provisional(inspected_on, rectify_days)
        rectify_by, rectify_provisional = limit.value, limit.provisional
    inspection = Inspection.objects.create(
        place=target,
        area_code=target.area_code,
        inspected_on=inspected_on,
        inspectors=inspectors[:120],
        scores={str(k): str(v) for k, v in points.items()},
        key_failed=sorted(set(failed)),
        total=total,
        grade=grade,
        notes=(notes or "").strip(),
        rectify_by=rectify_by,
        rectify_workdays=rectify_days,
        rectify_provisional=rectify_provisional,
        recorded_by_id=user_id or actor.user_id,
    )
    if target.last_inspected_on is None or inspected_on >= target.last_inspected_on:
        target.grade, target.last_inspected_on = grade, inspected_on
        target.save(update_fields=["grade", "last_inspected_on"])
    # The visit this inspection fulfils: the place's earliest open one of the year (a visit
    # made ahead of its planned day still counts as that visit).
    planned = (
        PlannedInspection.objects.filter(
            place=target, done__isnull=True, due_on__year=inspected_on.year
        )
        .order_by("due_on")
        .first()
    )
    if planned is not None:
        planned.done = inspection
        planned.save(update_fields=["done"])
    plan_place(place=target, year=inspected_on.year, start=inspected_on + dt.timedelta(days=1))
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="hygiene.inspection",
        object_id=inspection.pk,
        object_label=str(inspection),
        changes={"total": str(total), "grade": grade, "key_failed": inspection.key_failed},
    )
    return inspection


def correct_provisional_deadlines() -> int:
    """Recompute guessed rectification dates (hourly job): once an administrator publishes the
    holiday notice of the year they fell in, the inspection gets its real date and a place
    still graded 差 on that inspection gets its re-inspection moved with it."""
    pending = Inspection.unscoped.filter(rectify_provisional=True, rectify_workdays__isnull=False)
    return correct_each(pending, _correct_rectify_by)


def _correct_rectify_by(inspection: Inspection) -> bool:
    limit = add_workdays_provisional(inspection.inspected_on, inspection.rectify_workdays)
    if (limit.value, limit.provisional) == (inspection.rectify_by, True):
        return False  # the year is still not published
    before = inspection.rectify_by
    inspection.rectify_by, inspection.rectify_provisional = limit.value, limit.provisional
    inspection.save(update_fields=["rectify_by", "rectify_provisional"])
    audit.record(
        audit.SYSTEM,
        AuditAction.UPDATE,
        object_type="hygiene.inspection",
        object_id=inspection.pk,
        object_label=str(inspection),
        changes={
            "rectify_by": [before.isoformat(), inspection.rectify_by.isoformat()],
            "rectify_provisional": [True, inspection.rectify_provisional],
        },
    )
    _replan_reinspection(inspection)
    return True


def _replan_reinspection(inspection: Inspection) -> None:
    place = PublicPlace.objects.select_for_update().get(pk=inspection.place_id)
    latest_poor = (
        Inspection.unscoped.filter(place=place, grade=Grade.POOR)
        .order_by("-inspected_on", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if place.active and place.grade == Grade.POOR and latest_poor == inspection.pk:
        day = add_workdays_provisional(inspection.rectify_by, 1).value
        plan_place(place=place, year=day.year, start=min(today(), day))
