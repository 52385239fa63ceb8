"""多证联办: the application's one result. After acceptance each item is decided on its own
(a 行政许可 is decided item by item, so one item denied does not deny the others); when the
last item is decided or ended, the applicant gets one message for the whole application
listing every item's outcome, and the bundle's notice page shows the same list."""

from __future__ import annotations

from bianmin.cases.models import Case, CaseStatus
from bianmin.cases.services import messages
from bianmin.cases.services.common import notify_applicant

FINISHED = (
    CaseStatus.DECIDED,
    CaseStatus.DELIVERED,
    CaseStatus.CLOSED,
    CaseStatus.TERMINATED,
)


def on_member_finished(case: Case) -> None:
    """A bundle's item was decided or ended: once every item is, the applicant gets one
    result for the application, listing each item's outcome (准予 / 不予 with the reasons /
    终止). Each decision's own message has gone out already; this one ties them together."""
    if case.bundle_application_id is None:
        return
    members = list(
        Case.unscoped.select_related("item", "bundle_application__bundle")
        .filter(bundle_application_id=case.bundle_application_id)
        .order_by("id")
    )
    if any(c.accepted_at is None for c in members):
        return  # refused or returned as a whole: the application's own notice said so
    if not all(c.status in FINISHED for c in members):
        return
    application = case.bundle_application
    notify_applicant(
        members[0],
        key=f"bundle:{application.bundle_no}:finished",
        body=messages.bundle_finished(application, members),
    )
