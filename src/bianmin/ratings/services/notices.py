"""The year's reward list and warnings, and the warnings' rectification follow-up."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.core.provisional import correct_each
from bianmin.core.workdays import add_workdays_provisional
from bianmin.ratings import queries
from bianmin.ratings.models import YearNotice
from bianmin.ratings.services.common import error, today

# Working days a warned centre has to rectify (限期整改); settings.BIANMIN overrides it.
DEFAULT_RECTIFY_WORKDAYS = 20


def rectify_workdays() -> int:
    return int(
        getattr(settings, "BIANMIN", {}).get("RATINGS_RECTIFY_WORKDAYS", DEFAULT_RECTIFY_WORKDAYS)
    )


@transaction.atomic
def issue_notices(*, actor: Actor, year: int, on: dt.date | None = None) -> list[YearNotice]:
    """Put the year's lists on record: a reward for ≥ 6 five-star months, a warning with a
    rectification deadline (working days) for ≥ 6 months below five. Issuing again adds
    centres that have since qualified and updates month counts; a deadline already set
    stays."""
    on = on or today()
    if not 2000 <= int(year) <= on.year:
        raise error("invalid_year", "year")
    rows = queries.year_counts(year=year)
    if not rows:
        raise error("no_published_month", "year", year=year)
    # A warning issued in December runs into next year, whose holidays the State Council may
    # not have published yet: the deadline is then guessed Monday–Friday and flagged, as case
    # due dates are, rather than refusing to issue the year's lists.
    days = rectify_workdays()
    limit = add_workdays_provisional(on, days)
    deadline = limit.value
    issued = []
    for kind, months_of in (
        (YearNotice.Kind.REWARD, lambda r: r.five_star),
        (YearNotice.Kind.WARNING, lambda r: r.below_five),
    ):
        for row in rows:
            months = months_of(row)
            if months < queries.LIST_MONTHS:
                continue
            notice, created = YearNotice.objects.get_or_create(
                centre_id=row.centre_id,
                year=year,
                kind=kind,
                defaults={
                    "area_code": row.area_code,
                    "months": months,
                    "issued_on": on,
                    "deadline": deadline if kind == YearNotice.Kind.WARNING else None,
                    "rectify_workdays": days if kind == YearNotice.Kind.WARNING else None,
                    "deadline_provisional": kind == YearNotice.Kind.WARNING and limit.provisional,
                    "status": YearNotice.Status.OPEN
                    if kind == YearNotice.Kind.WARNING
                    else YearNotice.Status.NONE,
                },
            )
            if not created and notice.months != months:
                notice.months = months
                notice.save(update_fields=["months"])
            issued.append(notice)
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="ratings.notices",
        object_id=str(year),
        object_label=f"{year}年度星级奖励与警告",
        changes={"notices": len(issued)},
    )
    return issued


def correct_provisional_deadlines() -> int:
    """Recompute the guessed deadlines of open warnings (hourly job): once an administrator
    publishes the holiday notice of the year a deadline was guessed in, the warning gets its
    real deadline. Returns how many changed (date or mark)."""
    pending = YearNotice.unscoped.filter(
        kind=YearNotice.Kind.WARNING,
        status=YearNotice.Status.OPEN,
        deadline_provisional=True,
        rectify_workdays__isnull=False,
    )
    return correct_each(pending, _correct_deadline)


def _correct_deadline(notice: YearNotice) -> bool:
    limit = add_workdays_provisional(notice.issued_on, notice.rectify_workdays)
    if (limit.value, limit.provisional) == (notice.deadline, True):
        return False  # the year is still not published
    before = notice.deadline
    notice.deadline, notice.deadline_provisional = limit.value, limit.provisional
    notice.save(update_fields=["deadline", "deadline_provisional"])
    audit.record(
        audit.SYSTEM,
        AuditAction.UPDATE,
        object_type="ratings.notice",
        object_id=notice.pk,
        object_label=str(notice),
        changes={
            "deadline": [before.isoformat(), notice.deadline.isoformat()],
            "deadline_provisional": [True, notice.deadline_provisional],
        },
    )
    return True


@transaction.atomic
def record_follow_up(
    *, actor: Actor, notice_id: int, status: str, note: str, on: dt.date | None = None
) -> YearNotice:
    on = on or today()
    notice = YearNotice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None:
        raise error("unknown_centre")
    if notice.kind != YearNotice.Kind.WARNING:
        raise error("not_a_warning")
    if status not in (YearNotice.Status.OPEN, YearNotice.Status.RECTIFIED):
        raise error("invalid_status", "status")
    note = (note or "").strip()
    if len(note) < 5:
        raise error("follow_up_required", "note")
    notice.status = status
    notice.follow_up = note
    notice.closed_on = on if status == YearNotice.Status.RECTIFIED else None
    notice.save(update_fields=["status", "follow_up", "closed_on"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="ratings.notice",
        object_id=notice.pk,
        object_label=str(notice),
        changes={"status": status},
    )
    return notice
