"""限时办结: special procedures (特别程序) that stop the clock, and extensions (延期). The
clock's arithmetic is in `clock`, the daily warning sweep in `sweep`; both are re-exported
here, where callers have always found them (`deadlines.sweep_deadlines` …)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
)
from bianmin.cases.services import messages
from bianmin.cases.services.clock import (  # noqa: F401 — re-exported
    end_pause,
    pause_row,
    refresh_due,
    start_pause,
)
from bianmin.cases.services.common import (
    in_department,
    locked,
    moment,
    record_event,
    require_reason,
    require_staff,
    require_status,
    save,
)
from bianmin.cases.services.sweep import (  # noqa: F401 — re-exported
    SweepReport,
    level_for,
    remaining_workdays,
    sweep_deadlines,
)
from bianmin.core.audit import Actor
from bianmin.registry.models import Role, Staff

# --- special procedures (特别程序) ----------------------------------------------------------


def _require_handler(actor: Actor, case: Case) -> Staff:
    """Staff of the department handling the case (the item's or a reviewing one)."""
    staff = require_staff(actor, roles=[Role.DEPT_REVIEWER])
    departments = {case.item.department_id, *case.reviews.values_list("department_id", flat=True)}
    if not in_department(staff, *departments):
        raise PermissionDenied(_("只有承办部门的工作人员才能办理此项操作。"))
    return staff


def _check_day(value: dt.date, case: Case, field_name: str, day: dt.date) -> dt.date:
    if value > day:
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
    *,
    actor: Actor,
    case: Case,
    kind: str,
    reason: str,
    start: dt.date | None = None,
    on: dt.date | None = None,
) -> ClockPause:
    """Start a special procedure (hearing, inspection, testing, expert review, public notice):
    the clock stops from `start` (default today) until `resume`. `on`: see `common.moment`."""
    day, at = moment(on)
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
    start = _check_day(start or day, case, "start", day)
    pause = start_pause(case, actor=actor, kind=kind, started_on=start, reason=reason, at=at)
    save(case, "paused_since")
    record_event(
        case,
        actor=actor,
        action=EventAction.SUSPENDED,
        from_status=case.status,
        reason=reason,
        data={"kind": kind, "start": start.isoformat(), "pause_id": pause.pk},
        message=messages.suspended(case, kind),
        at=at,
    )
    return pause


@transaction.atomic
def resume(
    *, actor: Actor, case: Case, end: dt.date | None = None, on: dt.date | None = None
) -> ClockPause:
    """End the running special procedure on `end` (default today); the due date moves by the
    working days it lasted. `on`: see `common.moment`."""
    day, at = moment(on)
    case = locked(case)
    _require_handler(actor, case)
    pause = case.pauses.filter(ended_on__isnull=True).first()
    if pause is None or pause.kind not in SPECIAL_PROCEDURES:
        raise ValidationError(_("该办件没有进行中的特别程序。"), code="not_suspended")
    due_before = case.due_date
    end = _check_day(end or day, case, "end", day)
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
        at=at,
    )
    return pause


# --- extensions (延期) ----------------------------------------------------------------------


@transaction.atomic
def request_extension(
    *, actor: Actor, case: Case, workdays: int, reason: str, on: dt.date | None = None
) -> Extension:
    """Ask for more working days; nothing moves until a supervisor approves. `on`: see
    `common.moment`."""
    _day, at = moment(on)
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
        case=case, workdays=workdays, reason=reason, requested_by=staff, requested_at=at
    )
    record_event(
        case,
        actor=actor,
        action=EventAction.EXTENSION_REQUESTED,
        from_status=case.status,
        reason=reason,
        data={"extension_id": extension.pk, "workdays": workdays},
        at=at,
    )
    return extension


@transaction.atomic
def decide_extension(
    *,
    actor: Actor,
    extension: Extension,
    approve: bool,
    note: str = "",
    on: dt.date | None = None,
) -> Extension:
    """A supervisor (or leader) other than the requester approves or refuses an extension.
    `on`: see `common.moment`."""
    _day, at = moment(on)
    approver = require_staff(actor, roles=[Role.SUPERVISOR])
    case = locked(extension.case)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("该延期申请已审批。"), code="extension_decided")
    if approver.pk == extension.requested_by_id:
        raise PermissionDenied(_("延期申请须由申请人以外的负责人审批。"))
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.approver, extension.decided_at, extension.note = approver, at, note
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
        at=at,
    )
    return extension
