"""Every write of the ratings app (docs/ratings.md)."""

from bianmin.ratings.services.months import compute_month, publish_month
from bianmin.ratings.services.notices import (
    correct_provisional_deadlines,
    issue_notices,
    record_follow_up,
)
from bianmin.ratings.services.submissions import record_inspection, submit_self_assessment

__all__ = [
    "compute_month",
    "correct_provisional_deadlines",
    "issue_notices",
    "publish_month",
    "record_follow_up",
    "record_inspection",
    "submit_self_assessment",
]
