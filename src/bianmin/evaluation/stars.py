"""月度星级评定 (seed 001: the 管委会 rates each 365 centre and village centre monthly; six
five-star months a year earn a reward, six months below five stars a warning).

The part of it the platform can compute from its own records — 服务对象评议 (the month's
好差评) and how bad reviews and complaints were dealt with — by a rule anyone can check:

| stars | satisfaction rate of the month | and |
| --- | --- | --- |
| ★★★★★ | ≥ 98% | no overdue rectification or complaint, no complaint found true |
| ★★★★  | ≥ 95% | no overdue rectification or complaint |
| ★★★   | ≥ 90% | |
| ★★    | ≥ 80% | |
| ★     | below 80% | |

Satisfaction rate = (非常满意 + 满意 + 基本满意) / all ratings. A centre with fewer than
`BIANMIN["STAR_MIN_RATINGS"]` (default 5) ratings in the month is not rated (样本不足): one
unhappy applicant out of two would otherwise decide a centre's month. 爱岗敬业, 廉洁自律 and the
明察暗访 remain the 管委会's own assessment.
"""

from __future__ import annotations

from decimal import Decimal

from bianmin.registry.models import DivisionLevel, OrgUnitKind

# (minimum satisfaction rate, stars), best first.
BANDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal("0.98"), 5),
    (Decimal("0.95"), 4),
    (Decimal("0.90"), 3),
    (Decimal("0.80"), 2),
    (Decimal("0"), 1),
)
# At most this many stars with an overdue rectification/complaint, or a founded complaint.
CAP_OVERDUE = 3
CAP_FOUNDED_COMPLAINT = 4
# Rated centres: town/street 365 centres and village/community centres.
RATED_LEVELS = frozenset({DivisionLevel.TOWN, DivisionLevel.VILLAGE})


def is_rated_centre(kind: str | None, level: int | None) -> bool:
    return kind == OrgUnitKind.SERVICE_CENTRE and level in RATED_LEVELS


def stars(
    *,
    ratings: int,
    satisfied: int,
    overdue: int,
    founded_complaints: int,
    min_ratings: int,
) -> int | None:
    """The month's stars, or None when there are too few ratings to judge."""
    if ratings < min_ratings or ratings == 0:
        return None
    # Exact arithmetic: 49/50 is 98%, not 97.99999%.
    rate = Decimal(satisfied) / Decimal(ratings)
    result = next(n for floor, n in BANDS if rate >= floor)
    if overdue:
        result = min(result, CAP_OVERDUE)
    if founded_complaints:
        result = min(result, CAP_FOUNDED_COMPLAINT)
    return result
