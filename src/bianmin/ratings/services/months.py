"""Computing and publishing a month's star ratings."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.evaluation import stars as star_rule
from bianmin.evaluation.services.common import setting
from bianmin.indicators import breakdowns
from bianmin.indicators.library import CENTRE, Period
from bianmin.ratings import scheme
from bianmin.ratings.models import Dimension, Inspection, MonthlyRating, SelfAssessment
from bianmin.ratings.services.common import error, month_bounds, rated_centres, today


def _rate(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# The centre's system figures, from the indicator library broken down by accepting centre.
CONDUCT = "cases.on_time_rate"  # 办件规范
SERVICE = "evaluation.rectification_on_time_rate"  # 服务优质
SATISFACTION = "evaluation.satisfaction_rate"  # 群众满意 (with the caps below)
RATINGS, COMPLAINTS = "evaluation.ratings", "evaluation.complaints"
FOUNDED, COMPLAINTS_OVERDUE = "evaluation.complaints_founded", "evaluation.complaints_overdue"
SYSTEM_CODES = [CONDUCT, SERVICE, SATISFACTION, RATINGS, COMPLAINTS, FOUNDED, COMPLAINTS_OVERDUE]


def _fraction(part: int, whole: int) -> Decimal | None:
    """part / whole to four places (as the 好差评 dashboard shows it), None for 0/0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def system_figures(*, month: str, on: dt.date) -> dict[str, dict[str, dict]]:
    """Per rated centre code: the dimensions the platform measures itself, each with its raw
    figures and points (None when the month gives nothing to measure). Taken from the
    indicator library by accepting centre — the same figures as the supervision and 好差评
    dashboards; "overdue" as it stood on `on`. A centre's figures are the system's (every case
    it accepted), whoever computes the month."""
    month_bounds(month)
    period = Period.parse(month).as_of(on)
    got = breakdowns.breakdown(SYSTEM_CODES, by=CENTRE, period=period)
    minimum = setting("STAR_MIN_RATINGS")
    figures: dict[str, dict[str, dict]] = {}
    for centre in rated_centres():
        key = centre.code
        conduct = got[CONDUCT].get(key)
        closed = int(conduct.denominator) if conduct else 0
        on_time = int(conduct.numerator) if conduct else 0
        # Python's rounding of the fraction, as counts_by_centre gives it.
        rate = _rate(round(on_time / closed, 4)) if closed else None
        entry = figures[key] = {
            Dimension.CONDUCT: {
                "closed": closed,
                "closed_on_time": on_time,
                "rate": str(rate) if rate is not None else None,
                "points": str(scheme.one_decimal(rate * 20)) if rate is not None else None,
            }
        }
        ratings = int(got[RATINGS][key].value) if key in got[RATINGS] else 0
        complaints = int(got[COMPLAINTS][key].value) if key in got[COMPLAINTS] else 0
        if not ratings and not complaints:
            continue  # no rating and no complaint this month: nothing to measure
        service = got[SERVICE].get(key)
        answered = int(service.numerator) if service else 0
        # Answered in time and overdue are disjoint: the denominator is their sum.
        overdue = int(service.denominator) - answered if service else 0
        service_rate = _fraction(answered, answered + overdue)
        entry[Dimension.SERVICE] = {
            "rectified_on_time": answered,
            "overdue": overdue,
            "rate": str(service_rate) if service_rate is not None else None,
            "points": str(scheme.one_decimal(service_rate * 20))
            if service_rate is not None
            else None,
        }
        satisfied = int(got[SATISFACTION][key].numerator) if key in got[SATISFACTION] else 0
        stars = star_rule.stars(
            ratings=ratings,
            satisfied=satisfied,
            overdue=overdue + _count(got[COMPLAINTS_OVERDUE], key),
            founded_complaints=_count(got[FOUNDED], key),
            min_ratings=minimum,
        )
        satisfaction_rate = _fraction(satisfied, ratings)
        entry[Dimension.SATISFACTION] = {
            "ratings": ratings,
            "satisfaction_rate": str(satisfaction_rate) if satisfaction_rate is not None else None,
            "stars": stars,
            "points": str(scheme.POINTS_PER_STAR * stars) if stars else None,
        }
    return figures


def _count(values: dict, key: str) -> int:
    value = values.get(key)
    return int(value.value) if value is not None else 0


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
