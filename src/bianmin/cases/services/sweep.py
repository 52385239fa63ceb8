"""The daily warning sweep (`bianmin cases sweep`): each running case's warning level —
green, yellow when ≤ 20 % of the allowed working days are left, red once overdue — stored,
with one event and one in-app message to the handling department on a change; provisional
due dates recomputed once the calendar covers their year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bianmin.cases.models import CLOCK_STATES, Case, EventAction, ReviewStatus, WarningLevel
from bianmin.cases.services import messages
from bianmin.cases.services.clock import refresh_due
from bianmin.cases.services.common import record_event, save, today
from bianmin.core.audit import SYSTEM
from bianmin.core.workdays import workdays_between_provisional
from bianmin.notifications.models import Channel
from bianmin.notifications.services import queue_message


def remaining_workdays(case: Case, on: dt.date) -> int:
    """Working days left until the due date; negative once overdue. A running pause gives
    back the days it has lasted so far, so a stopped clock never turns yellow."""
    left = workdays_between_provisional(on, case.due_date).value
    if case.paused_since is not None:
        left += workdays_between_provisional(case.paused_since, on).value
    return left


def level_for(case: Case, on: dt.date) -> str:
    left = remaining_workdays(case, on)
    if left < 0:
        return WarningLevel.RED
    # ≤ 20 % of the allowed working days left (integers: left / allowed ≤ 1/5).
    if left * 5 <= case.promised_days + case.extended_workdays:
        return WarningLevel.YELLOW
    return WarningLevel.GREEN


@dataclass
class SweepReport:
    checked: int = 0
    changed: dict[str, int] = field(default_factory=dict)
    corrected: int = 0  # provisional due dates recomputed


def _handler_of(case: Case) -> tuple[str, int | None]:
    """Department and user a warning goes to: the open review's, else the item's."""
    review = (
        case.reviews.filter(status__in=[ReviewStatus.OPEN, ReviewStatus.RETURNED])
        .select_related("assignee")
        .first()
    )
    if review is not None:
        return review.department_id, review.assignee.user_id if review.assignee else None
    return case.item.department_id, None


def _warn(case: Case, level: str, on: dt.date) -> None:
    case = Case.unscoped.select_for_update().select_related("item").get(pk=case.pk)
    if case.status not in CLOCK_STATES or case.due_date is None:
        return
    level = level_for(case, on)  # re-read under the lock: another sweep may have been first
    if level == case.warning_level:
        return
    before, case.warning_level = case.warning_level, level
    case.warning_changed_at = timezone.now()
    save(case, "warning_level", "warning_changed_at")
    event = record_event(
        case,
        actor=SYSTEM,
        action=EventAction.WARNING,
        from_status=case.status,
        data={"from": before, "to": level, "due_date": case.due_date.isoformat()},
    )
    if level == WarningLevel.GREEN:
        return
    department, user_id = _handler_of(case)
    left = remaining_workdays(case, on)
    if level == WarningLevel.YELLOW:
        body = (
            f"【办件预警】{case.item.name}（编号{case.case_no}）剩余{left}个工作日，"
            f"承诺{messages.day(case.due_date)}前办结，请抓紧办理。"
        )
    else:
        body = (
            f"【办件超期】{case.item.name}（编号{case.case_no}）已超过承诺办结日期"
            f"{messages.day(case.due_date)}，请立即办理并说明超期原因。"
        )
    # To the handling department's in-app inbox ("dept:<code>"), and to the assignee if any.
    queue_message(
        dedupe_key=f"case:{case.case_no}:{event.pk}",
        channel=Channel.IN_APP,
        body=body,
        subject=str(WarningLevel(level).label),
        recipient_address=f"dept:{department}",
        recipient_user=get_user_model()(pk=user_id) if user_id else None,
        related_type="case",
        related_id=case.case_no,
    )


def _correct_provisional(case: Case) -> bool:
    """Recompute a provisional due date (the calendar may since cover its year); True when
    the date or its provisional mark changed."""
    case = Case.unscoped.select_for_update().select_related("item").get(pk=case.pk)
    if not case.due_provisional or case.status not in CLOCK_STATES:
        return False
    before = case.due_date
    refresh_due(case)
    if case.due_date == before and case.due_provisional:
        return False
    save(case, "due_date", "due_provisional")
    record_event(
        case,
        actor=SYSTEM,
        action=EventAction.DUE_CORRECTED,
        from_status=case.status,
        data={
            "due_before": before.isoformat(),
            "due_after": case.due_date.isoformat(),
            "provisional": case.due_provisional,
        },
        message=messages.due_corrected(case) if case.due_date != before else None,
    )
    return True


def sweep_deadlines(*, on: dt.date | None = None) -> SweepReport:
    """Store each running case's warning level for `on` (default today). Idempotent: only a
    change of level writes (one event, one message to the handling department).

    First, provisional due dates are recomputed: once an administrator publishes the holiday
    notice of a year that was guessed, those cases get their real due date (and the applicant
    a message if it moved)."""
    on = on or today()
    report = SweepReport()
    running = Case.unscoped.filter(status__in=CLOCK_STATES, due_date__isnull=False)
    for case in running.filter(due_provisional=True).only("id").iterator(chunk_size=2000):
        with transaction.atomic():
            report.corrected += _correct_provisional(case)
    fields = ["id", "due_date", "paused_since", "promised_days", "extended_workdays"]
    for case in running.only(*fields, "warning_level").iterator(chunk_size=2000):
        report.checked += 1
        level = level_for(case, on)
        if level != case.warning_level:
            with transaction.atomic():
                _warn(case, level, on)
            report.changed[level] = report.changed.get(level, 0) + 1
    return report
