"""What the centres and the supervisors put in: the monthly self-assessment and 明察暗访."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.ratings import scheme
from bianmin.ratings.models import Inspection, MonthlyRating, SelfAssessment
from bianmin.ratings.services.common import (
    centre_by_code,
    error,
    month_bounds,
    points,
    self_deadline,
    today,
)


def _check_open(centre_code: str, month: str) -> None:
    if MonthlyRating.unscoped.filter(
        centre_id=centre_code, month=month, published_at__isnull=False
    ).exists():
        raise error("month_locked", month=month)


def _known(values: Mapping[str, Any]) -> None:
    for key in values:
        if key not in scheme.MAX_POINTS:
            raise error("unknown_dimension", dimension=key)


@transaction.atomic
def submit_self_assessment(
    *,
    actor: Actor,
    centre: str,
    month: str,
    scores: Mapping[str, Any],
    notes: Mapping[str, str] | None = None,
    on: dt.date | None = None,
) -> SelfAssessment:
    """The centre's self-assessment of `month`: every dimension scored 0..max, by the 30th."""
    # `on` is the day of submission (a back-filled or replayed one); default: now.
    submitted_at = timezone.now()
    if on is not None and on != timezone.localdate(submitted_at):
        submitted_at = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    on = on or today()
    unit = centre_by_code(centre)
    start, _end = month_bounds(month)
    if start > on:
        raise error("future_month", "month", month=month)
    deadline = self_deadline(month)
    if on > deadline:
        raise error("self_late", "month", month=month, deadline=deadline.isoformat())
    _known(scores)
    clean: dict[str, str] = {}
    for dimension in scheme.ORDER:
        value = scores.get(dimension)
        if value is None or str(value).strip() == "":
            raise error("score_required", dimension, dimension=_label(dimension))
        clean[dimension] = str(
            points(
                value,
                dimension=dimension,
                maximum=scheme.MAX_POINTS[dimension],
                field=dimension,
            )
        )
    _check_open(unit.code, month)
    if SelfAssessment.unscoped.filter(centre=unit, month=month).exists():
        raise error("self_twice", centre=unit.name, month=month)
    item = SelfAssessment.objects.create(
        centre=unit,
        area_code=unit.division.prefix,
        month=month,
        scores=clean,
        notes={k: str(v).strip()[:500] for k, v in (notes or {}).items() if k in clean and v},
        submitted_by=actor.name[:60],
        submitted_at=submitted_at,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="ratings.selfassessment",
        object_id=item.pk,
        object_label=str(item),
        changes={"scores": clean},
    )
    return item


def _label(dimension: str) -> str:
    from bianmin.ratings.models import Dimension

    return str(Dimension(dimension).label)


@transaction.atomic
def record_inspection(
    *,
    actor: Actor,
    centre: str,
    inspected_on: dt.date,
    mode: str,
    supervisor: str,
    findings: str,
    deductions: Mapping[str, Any],
    user_id: int | None = None,
) -> Inspection:
    """One 明察暗访 visit; each deduction is 0..the dimension's max."""
    unit = centre_by_code(centre)
    if inspected_on > today():
        raise error("future_date", "inspected_on")
    if mode not in Inspection.Mode.values:
        mode = Inspection.Mode.OPEN
    supervisor = (supervisor or "").strip()
    if not supervisor:
        raise error("supervisor_required", "supervisor")
    findings = (findings or "").strip()
    if len(findings) < 5:
        raise error("findings_required", "findings")
    _known(deductions)
    clean = {}
    for dimension, value in deductions.items():
        if value is None or str(value).strip() == "":
            continue
        number = points(
            value, dimension=dimension, maximum=scheme.MAX_POINTS[dimension], field=dimension
        )
        if number:
            clean[dimension] = str(number)
    month = f"{inspected_on:%Y-%m}"
    _check_open(unit.code, month)
    item = Inspection.objects.create(
        centre=unit,
        area_code=unit.division.prefix,
        inspected_on=inspected_on,
        mode=mode,
        supervisor=supervisor[:60],
        findings=findings,
        deductions=clean,
        recorded_by_id=user_id or actor.user_id,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="ratings.inspection",
        object_id=item.pk,
        object_label=str(item),
        changes={"deductions": clean},
    )
    return item
