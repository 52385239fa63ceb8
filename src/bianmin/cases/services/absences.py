"""AB岗: a staff member's absences; while away, their backup (`Staff.backup`, the B岗)
sees and acts on the reviews assigned to them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import StaffAbsence
from bianmin.cases.services.common import require_reason, require_staff
from bianmin.core.audit import Actor
from bianmin.registry.models import Role, Staff


def absent_on(staff_id: int, day: dt.date) -> bool:
    return StaffAbsence.objects.filter(staff_id=staff_id, start__lte=day, end__gte=day).exists()


@transaction.atomic
def mark_absent(
    *, actor: Actor, staff: Staff, start: dt.date, end: dt.date, reason: str
) -> StaffAbsence:
    """Record an absence (请假、培训、出差): the B-post takes over the A-post's reviews."""
    me = require_staff(actor, roles=[Role.DEPT_REVIEWER, Role.SUPERVISOR])
    if me.pk != staff.pk and me.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("只能登记本人的缺岗，或由负责人登记。"))
    if end < start:
        raise ValidationError(
            {"end": ValidationError(_("结束日期不能早于开始日期。"), code="invalid_span")}
        )
    return StaffAbsence.objects.create(
        staff=staff,
        start=start,
        end=end,
        reason=require_reason(reason)[:100],
        created_by_id=actor.user_id,
    )
