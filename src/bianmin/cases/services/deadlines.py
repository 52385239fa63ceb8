"""限时办结: due dates, clock pauses (补正, 特别程序), extensions (延期), and the warning sweep.

The due date is always recomputed from its parts, never nudged:
    due = add_workdays(accepted_on, promised_days + paused_workdays + extended_workdays)
so it stays right however many pauses and extensions a case has, and a calendar correction
(a published holiday notice) is picked up by the next recomputation. A pause's working days
are those in (started_on, ended_on] — `workdays_between`'s convention: the day the clock
stops has been used, the day it restarts is given back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import (
    CLOCK_STATES,
    SPECIAL_PROCEDURES,
    Case,
    CaseStatus,
    ClockPause,
    EventAction,
    Extension,
    ExtensionStatus,
    Review,
    ReviewStatus,
    WarningLevel,
)
from bianmin.cases.services import messages
from bianmin.cases.services.common import (
    in_department,
    locked,
    record_event,
    require_reason,
    require_staff,
    require_status,
    save,
    today,
)
from bianmin.core.audit import SYSTEM, Actor
from bianmin.core.workdays import add_workdays_provisional, workdays_between_provisional
from bianmin.notifications.models import Channel
from bianmin.notifications.services import queue_message
from bianmin.registry.models import Role, Staff

# --- due dates ------------------------------------------------------------------------------


def refresh_due(case: Case) -> None:
    """Recompute `due_date` / `due_provisional` from the case's parts (not saved)."""
    allowed = case.promised_days + case.paused_workdays + case.extended_workdays
    result = add_workdays_provisional(case.accepted_on, allowed)
    case.due_date, case.due_provisional = result.value, result.provisional


def start_pause(
    case: Case,
    *,
    actor: Actor,
    kind: str,
    started_on: dt.date,
    reason: str = "",
    review: Review | None = None,
) -> ClockPause:
    """Stop the clock (no event: the calling transition writes it)."""
    pause = ClockPause.objects.create(
        case=case,
        kind=kind,
        reason=reason,
        started_on=started_on,
        counts=case.accepted_on is not None,
        review=review,
        started_by_id=actor.user_id,
    )
    case.paused_since = started_on
    return pause


def end_pause(case: Case, *, ended_on: dt.date) -> ClockPause | None:
    """Restart the clock: the paused working days move the due date (not saved)."""
    pause = case.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        case.paused_since = None
        return None
    if ended_on < pause.started_on:
        raise ValidationError(
            {"end": ValidationError(_("恢复日期不能早于暂停日期。"), code="pause_end_before_start")}
        )
    days = workdays_between_provisional(pause.started_on, ended_on).value if pause.counts else 0
    pause.ended_on, pause.workdays = ended_on, days
    pause.save(update_fields=["ended_on", "workdays"])
    case.paused_since = None
    case.paused_workdays += days
    if case.accepted_on is not None:
        refresh_due(case)
    return pause


# --- special procedures (特别程序) ----------------------------------------------------------


def _require_handler(actor: Actor, case: Case) -> Staff:
    """Staff of the department handling the case (the item's or a reviewing one)."""
    staff = require_staff(actor, roles=[Role.DEPT_REVIEWER])
    departments = {case.item.department_id, *case.reviews.values_list("department_id", flat=True)}
    if not in_department(staff, *departments):
        raise PermissionDenied(_("只有承办部门的工作人员才能办理此项操作。"))
    return staff


def _check_day(value: dt.date, case: Case, field_name: str) -> dt.date:
    if value > today():
        raise ValidationError(
            {field_name: ValidationError(_("日期不能晚于今天。"), code="date_in_future")}
        )
    if case.accepted_on and value < case.accepted_on:
        raise ValidationError(
            {
                field_name: ValidationError(
                    _("日期不能早于受理日期。"), code="date_before_acceptance"
                )
            }
        )
    return value


@transaction.atomic
def suspend(
    *, actor: Actor, case: Case, kind: str, reason: str, start: dt.date | None = None
) -> ClockPause:
    """Start a special procedure (hearing, inspection, testing, expert review, public notice):
    the clock stops from `start` (default today) until `resume`."""
    case = locked(case)
    _require_handler(actor, case)
    require_status(case, [CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW], _("启动特别程序"))
    if kind not in SPECIAL_PROCEDURES:
        raise ValidationError(
            {"kind": ValidationError(_("特别程序类型无效。"), code="invalid_pause_kind")}
        )
    if case.paused_since is not None:
        raise ValidationError(_("该办件已在暂停计时中。"), code="clock_already_paused")
    reason = require_reason(reason)
    start = _check_day(start or today(), case, "start")
    pause = start_pause(case, actor=actor, kind=kind, started_on=start, reason=reason)
    save(case, "paused_since")
    record_event(
        case,
        actor=actor,
        action=EventAction.SUSPENDED,
        from_status=case.status,
        reason=reason,
        data={"kind": kind, "start": start.isoformat(), "pause_id": pause.pk},
        message=messages.suspended(case, kind),
    )
    return pause


@transaction.atomic
def resume(*, actor: Actor, case: Case, end: dt.date | None = None) -> ClockPause:
    """End the running special procedure on `end` (default today); the due date moves by the
    working days it lasted."""
    case = locked(case)
    _require_handler(actor, case)
    pause = case.pauses.filter(ended_on__isnull=True).first()
    if pause is None or pause.kind not in SPECIAL_PROCEDURES:
        raise ValidationError(_("该办件没有进行中的特别程序。"), code="not_suspended")
    due_before = case.due_date
    end = _check_day(end or today(), case, "end")
    pause = end_pause(case, ended_on=end)
    save(case, "paused_since", "paused_workdays", "due_date", "due_provisional")
    record_event(
        case,
        actor=actor,
        action=EventAction.RESUMED,
        from_status=case.status,
        data={
            "kind": pause.kind,
            "start": pause.started_on.isoformat(),
            "end": end.isoformat(),
            "workdays": pause.workdays,
            "due_before": due_before.isoformat() if due_before else None,
            "due_after": case.due_date.isoformat(),
        },
        message=messages.resumed(case, pause.kind),
    )
    return pause


# --- extensions (延期) ----------------------------------------------------------------------


@transaction.atomic
def request_extension(*, actor: Actor, case: Case, workdays: int, reason: str) -> Extension:
    """Ask for more working days; nothing moves until a supervisor approves."""
    case = locked(case)
    staff = _require_handler(actor, case)
    require_status(case, CLOCK_STATES - {CaseStatus.DELIVERED}, _("申请延期"))
    if not 1 <= workdays <= 60:
        raise ValidationError(
            {"workdays": ValidationError(_("延长天数应为1至60个工作日。"), code="invalid_days")}
        )
    reason = require_reason(reason)
    if case.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError(_("已有待审批的延期申请。"), code="extension_pending")
    extension = Extension.objects.create(
        case=case, workdays=workdays, reason=reason, requested_by=staff
    )
    record_event(
        case,
        actor=actor,
        action=EventAction.EXTENSION_REQUESTED,
        from_status=case.status,
        reason=reason,
        data={"extension_id": extension.pk, "workdays": workdays},
    )
    return extension


@transaction.atomic
def decide_extension(
    *, actor: Actor, extension: Extension, approve: bool, note: str = ""
) -> Extension:
    """A supervisor (or leader) other than the requester approves or refuses an extension."""
    approver = require_staff(actor, roles=[Role.SUPERVISOR])
    case = locked(extension.case)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("该延期申请已审批。"), code="extension_decided")
    if approver.pk == extension.requested_by_id:
        raise PermissionDenied(_("延期申请须由申请人以外的负责人审批。"))
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.approver, extension.decided_at, extension.note = approver, timezone.now(), note
    extension.due_before = case.due_date
    message = None
    if approve:
        case.extended_workdays += extension.workdays
        refresh_due(case)
        save(case, "extended_workdays", "due_date", "due_provisional")
        extension.due_after = case.due_date
        message = messages.extended(case, extension.workdays)
    extension.save()
    record_event(
        case,
        actor=actor,
        action=EventAction.EXTENDED if approve else EventAction.EXTENSION_REFUSED,
        from_status=case.status,
        reason=note or extension.reason,
        data={
            "extension_id": extension.pk,
            "workdays": extension.workdays,
            "requested_by": extension.requested_by_id,
            "due_before": extension.due_before.isoformat() if extension.due_before else None,
            "due_after": extension.due_after.isoformat() if extension.due_after else None,
        },
        message=message,
    )
    return extension


# --- warning sweep --------------------------------------------------------------------------


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
