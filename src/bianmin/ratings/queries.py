"""Read models: the monthly table, a centre's card, the year's reward and warning lists."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from bianmin.ratings import scheme
from bianmin.ratings.models import Dimension, Inspection, MonthlyRating, SelfAssessment, YearNotice

# Seed 001: "一年内六个月以上获得五星级" earns a reward; "六个月及以上未达到五星级" a warning.
# Read both as six or more, the reading that treats the two lists alike.
LIST_MONTHS = 6


def area_choices() -> list[tuple[str, str]]:
    """Districts and streets in the acting user's area that have rated centres, for the
    table's filter: (division prefix, "江岸区" / "江岸区 · 大智街道")."""
    from bianmin.ratings.services.common import rated_centres
    from bianmin.registry.models import Division

    prefixes = {c.division.prefix for c in rated_centres()}
    wanted = {p[:6] for p in prefixes} | {p[:9] for p in prefixes}
    divisions = Division.objects.filter(prefix__in=wanted).order_by("code")
    names = {d.prefix: d.name for d in divisions}
    return [
        (d.prefix, d.name if len(d.prefix) == 6 else f"{names.get(d.prefix[:6], '')} · {d.name}")
        for d in divisions
    ]


def month_table(*, month: str, area: str = "") -> QuerySet[MonthlyRating]:
    rows = MonthlyRating.objects.filter(month=month).select_related("centre__division__parent")
    if area:
        rows = rows.filter(area_code__startswith=area)
    return rows.order_by("area_code", "centre_id")


@dataclass
class DimensionLine:
    code: str
    label: str
    maximum: object
    score: object
    source: str
    self_score: object
    system: dict | None
    deduction: object


@dataclass
class Card:
    rating: MonthlyRating
    lines: list[DimensionLine]
    self_assessment: SelfAssessment | None
    inspections: list[Inspection] = field(default_factory=list)


def card(rating: MonthlyRating) -> Card:
    start = f"{rating.month}-01"
    lines = []
    for code in scheme.ORDER:
        src = rating.sources.get(code, {})
        lines.append(
            DimensionLine(
                code=code,
                label=str(Dimension(code).label),
                maximum=scheme.MAX_POINTS[code],
                score=rating.scores.get(code),
                source=src.get("source", ""),
                self_score=src.get("self"),
                system=src.get("system"),
                deduction=src.get("deduction"),
            )
        )
    return Card(
        rating=rating,
        lines=lines,
        self_assessment=SelfAssessment.objects.filter(
            centre=rating.centre, month=rating.month
        ).first(),
        inspections=list(
            Inspection.objects.filter(
                centre=rating.centre, inspected_on__gte=start, inspected_on__lt=_next(rating.month)
            )
        ),
    )


def _next(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}-01"


@dataclass(frozen=True)
class YearRow:
    centre_id: str
    centre_name: str
    area_code: str
    months: int
    five_star: int
    below_five: int


def year_counts(*, year: int) -> list[YearRow]:
    """Published months of `year` per centre: how many at five stars, how many below."""
    rows = (
        MonthlyRating.objects.filter(month__startswith=f"{year:04d}-", published_at__isnull=False)
        .order_by()
        .values("centre_id", "centre__name", "area_code")
        .annotate(
            months=Count("pk"),
            five=Count("pk", filter=Q(stars=5)),
            below=Count("pk", filter=Q(stars__lt=5)),
        )
        .order_by("area_code", "centre_id")
    )
    return [
        YearRow(
            r["centre_id"], r["centre__name"], r["area_code"], r["months"], r["five"], r["below"]
        )
        for r in rows
    ]


def reward_list(*, year: int) -> list[YearRow]:
    return [r for r in year_counts(year=year) if r.five_star >= LIST_MONTHS]


def warning_list(*, year: int) -> list[YearRow]:
    return [r for r in year_counts(year=year) if r.below_five >= LIST_MONTHS]


def notices(*, year: int, kind: str = "") -> QuerySet[YearNotice]:
    rows = YearNotice.objects.filter(year=year).select_related("centre")
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("kind", "area_code", "centre_id")
