"""The grading rule of seed 004 篇7 and the supervision frequency each grade gets.

标化总分 (standardised total): each item's points weighted, as a share of the weighted maximum,
on a 100 scale — Σ(scoreᵢ × weightᵢ) ÷ Σ(maxᵢ × weightᵢ) × 100, one decimal, rounded half up.
Sheets of different types have different maxima; the standardised score puts them on one
scale so one rule grades them all:

    ≥ 90 → A (优秀, 低度风险, 每年一次)     70–89.9 → B (良好, 每年二次)
    60–69.9 → C (合格, 每年三次以上)        < 60, or any ※ item failed → 差 (责令整改)
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from bianmin.hygiene.models import Grade

BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal(90), Grade.A),
    (Decimal(70), Grade.B),
    (Decimal(60), Grade.C),
)

# Routine visits a year per grade (C: "三次以上" — three is the plan's minimum).
VISITS_PER_YEAR: dict[str, int] = {Grade.A: 1, Grade.B: 2, Grade.C: 3}


def standardised_total(rows: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Decimal:
    """rows: (points, max points, weight)."""
    got = Decimal(0)
    best = Decimal(0)
    for value, maximum, weight in rows:
        got += value * weight
        best += maximum * weight
    if not best:
        return Decimal(0)
    return (got * 100 / best).quantize(Decimal("0.1"), ROUND_HALF_UP)


def grade_for(total: Decimal, *, key_failed: bool) -> str:
    if key_failed:
        return Grade.POOR
    return next((grade for floor, grade in BANDS if total >= floor), Grade.POOR)


def visits_per_year(grade: str) -> int:
    """Routine visits of a graded place; an ungraded place gets one (its first grading); a poor
    one none on the routine plan: its rectification and re-inspection decide what follows."""
    if not grade:
        return 1
    return VISITS_PER_YEAR.get(grade, 0)
