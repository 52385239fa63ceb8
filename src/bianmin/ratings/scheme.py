"""The rating scheme (docs/ratings.md): five dimensions of 20 points each, 100 in all.

Where the platform keeps a record of a dimension, the record is the figure and the centre's
self-assessment only covers the rest; the month's 明察暗访 deductions come off last.

| dimension | figure | from |
| --- | --- | --- |
| 爱岗敬业 | self-assessment | the centre, by the 30th |
| 办件规范 | 按时办结率 × 20 | indicator cases.on_time_rate by accepting centre |
| 服务优质 | 按时整改率 × 20 | indicator evaluation.rectification_on_time_rate by centre |
| 廉洁自律 | self-assessment | the centre, by the 30th |
| 群众满意 | 好差评 stars × 4 | evaluation.stars over the library's 好差评 figures by centre |

A system figure that cannot be computed (no closed case, no rectification, too few ratings
for stars) falls back to the self-assessment; no self-assessment by the deadline scores 0.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bianmin.ratings.models import Dimension

MAX_POINTS: dict[str, Decimal] = {d.value: Decimal(20) for d in Dimension}
ORDER: tuple[str, ...] = tuple(d.value for d in Dimension)
POINTS_PER_STAR = Decimal(4)  # 群众满意: 5★ = 20 points

# (minimum total, stars), best first.
STAR_BANDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal(95), 5),
    (Decimal(85), 4),
    (Decimal(75), 3),
    (Decimal(60), 2),
    (Decimal(0), 1),
)

# Source labels stored with each dimension's score.
SELF, SYSTEM, NONE = "self", "system", "none"


def one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), ROUND_HALF_UP)


def stars_for(total: Decimal) -> int:
    return next(n for floor, n in STAR_BANDS if total >= floor)


def dimension_score(
    *, self_score: Decimal | None, system: Decimal | None, deduction: Decimal, maximum: Decimal
) -> tuple[Decimal, str]:
    """(score, source): the system figure when there is one, else the self-assessment (0 when
    missing), less the inspections' deductions, never below 0."""
    if system is not None:
        base, source = system, SYSTEM
    elif self_score is not None:
        base, source = self_score, SELF
    else:
        base, source = Decimal(0), NONE
    return one_decimal(max(Decimal(0), min(base, maximum) - deduction)), source
