"""Computing and publishing a month's star ratings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bianmin.cases import queries as case_queries
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.evaluation import queries as evaluation_queries
from bianmin.ratings import scheme
from bianmin.ratings.models import Dimension, Inspection, MonthlyRating, SelfAssessment
from bianmin.ratings.services.common import error, month_bounds, rated_centres, today


def _rate(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def system_figures(*, month: str, on: dt.date) -> dict[str, dict[str, dict]]:
    """Per centre code: the dimensions the platform measures itself, each with its raw figures
    and points (None when the month gives nothing to measure). Taken from the queries that
    already compute them — cases' 按时办结率, evaluation's 按时整改率 and stars."""
    start, end = month_bounds(month)
    figures: dict[str, dict[str, dict]] = {}
    for row in case_queries.counts_by_centre(start=start, end=end):
        if row["centre"] is None:
            continue
        rate = _rate(row["on_time_rate"])
        figures.setdefault(row["centre"], {})[Dimension.CONDUCT] = {
            "closed": row["closed"],
            "closed_on_time": row["closed_on_time"],
            "rate": str(rate) if rate is not None else None,
            "points": str(scheme.one_decimal(rate * 20)) if rate is not None else None,
        }
    for fig in evaluation_queries.by_org_unit(start=start, end=end, on=on):
        entry = figures.setdefault(fig.key, {})
        rate = fig.on_time_rate
        entry[Dimension.SERVICE] = {
            "rectified_on_time": fig.on_time,
            "overdue": fig.overdue,
            "rate": str(rate) if rate is not None else None,
            "points": str(scheme.one_decimal(rate * 20)) if rate is not None else None,
        }
        entry[Dimension.SATISFACTION] = {
            "ratings": fig.ratings,
            "satisfaction_rate": str(fig.satisfaction_rate)
            if fig.satisfaction_rate is not None
            else None,
            "stars": fig.stars,
            "points": str(scheme.POINTS_PER_STAR * fig.stars) if fig.stars else None,
        }
    return figures


def _deductions(month: str) -> dict[str, dict[str, Decimal]]:
    start, end = month_bounds(month)
    result: dict[str, dict[str, Decimal]] = {}
    rows = Inspection.objects.filter(inspected_on__gte=start, inspected_on__lte=end)
    for item in rows.only("centre_id", "deductions"):
        per = result.setdefault(item.centre_id, {})
        for dimension, value in item.deductions.items():
            per[dimension] = per.get(dimension, Decimal(0)) + Decimal(str(value))
    return result


@transaction.atomic
def compute_month(*, actor: Actor, month: str, on: dt.date | None = None) -> list[MonthlyRating]:
    """(Re)compute every rated centre's month in the actor's area. A published month is
    locked: nothing is changed and the error says so."""
    on = on or today()
    start, _end = month_bounds(month)
    if start > on:
        raise error("future_month", "month", month=month)
    if MonthlyRating.objects.filter(month=month, published_at__isnull=False).exists():
        raise error("month_locked", month=month)
    system = system_figures(month=month, on=on)
    deductions = _deductions(month)
    selves = {s.centre_id: s for s in SelfAssessment.objects.filter(month=month)}
    now = timezone.now()
    results = []
    for centre in rated_centres():
        own = selves.get(centre.code)
        scores: dict[str, str] = {}
        sources: dict[str, dict] = {}
        total = Decimal(0)
        for dimension in scheme.ORDER:
            raw = system.get(centre.code, {}).get(dimension)
            system_points = _rate(raw["points"]) if raw and raw["points"] is not None else None
            self_score = _rate(own.scores.get(dimension)) if own else None
            deduction = deductions.get(centre.code, {}).get(dimension, Decimal(0))
            score, source = scheme.dimension_score(
                self_score=self_score,
                system=system_points,
                deduction=deduction,
                maximum=scheme.MAX_POINTS[dimension],
            )
            scores[dimension] = str(score)
            sources[dimension] = {
                "source": source,
                "self": str(self_score) if self_score is not None else None,
                "system": raw,
                "deduction": str(deduction),
            }
            total += score
        rating, _created = MonthlyRating.objects.update_or_create(
            centre=centre,
            month=month,
            defaults={
                "area_code": centre.division.prefix,
                "scores": scores,
                "sources": sources,
                "total": total,
                "stars": scheme.stars_for(total),
                "computed_at": now,
            },
        )
        results.append(rating)
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="ratings.month",
        object_id=month,
        object_label=f"月度星级评定 {month}",
        changes={"centres": len(results)},
    )
    return results


@transaction.atomic
def publish_month(*, actor: Actor, month: str) -> int:
    """Publish (and so lock) the month's ratings in the actor's area."""
    month_bounds(month)
    pending = MonthlyRating.objects.filter(month=month, published_at__isnull=True)
    if not pending.exists():
        raise error("nothing_to_publish", month=month)
    count = pending.update(published_at=timezone.now())
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="ratings.month",
        object_id=month,
        object_label=f"发布月度星级 {month}",
        changes={"published": count},
    )
    return count
