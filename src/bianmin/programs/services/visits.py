from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditAction
from bianmin.programs import schedule, visitforms
from bianmin.programs.models import Enrolment, EnrolmentStatus, Visit, VisitKind
from bianmin.programs.services.common import check_grant
from bianmin.registry.models import LifeStatus


def _counted(enrolment: Enrolment):
    qs = Visit.unscoped.filter(enrolment=enrolment)
    kinds = enrolment.program.counted_kinds
    return qs.filter(kind__in=kinds) if kinds else qs


def compute_next_due(
    enrolment: Enrolment, visit_dates: list[dt.date], override: dt.date | None
) -> dt.date | None:
    if enrolment.status != EnrolmentStatus.ACTIVE:
        return None
    return schedule.next_due(
        enrolment.program,
        birth_date=enrolment.person.birth_date,
        enrolled_on=enrolment.enrolled_on,
        visits=visit_dates,
        override=override,
    )


def recompute_next_due(enrolment: Enrolment) -> Enrolment:
    """Bring the denormalised `next_due_on`, `last_visit_on` and `visit_count` in line with
    the visits. Called by every write that changes them."""
    counted = list(_counted(enrolment).values_list("visited_on", flat=True))
    last = Visit.unscoped.filter(enrolment=enrolment).order_by("-visited_on", "-id").first()
    override = last.next_due_on if last is not None else None
    agg = Visit.unscoped.filter(enrolment=enrolment).aggregate(
        n=Count("id"), last=Max("visited_on")
    )
    enrolment.next_due_on = compute_next_due(enrolment, counted, override)
    enrolment.last_visit_on = agg["last"]
    enrolment.visit_count = agg["n"]
    Enrolment.unscoped.filter(pk=enrolment.pk).update(
        next_due_on=enrolment.next_due_on,
        last_visit_on=enrolment.last_visit_on,
        visit_count=enrolment.visit_count,
        updated_at=timezone.now(),
    )
    return enrolment


def _refuse(field: str, message, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


@transaction.atomic
def record_visit(
    *,
    actor: Actor,
    enrolment: Enrolment,
    visited_on: dt.date,
    kind: str,
    data: dict[str, Any],
    outcome: str = "",
    notes: str = "",
    next_due_on: dt.date | None = None,
) -> Visit:
    """Record a follow-up done. Refused, with nothing changed: an exited enrolment, a date in
    the future, before enrolment or after death, a kind or outcome the program does not know,
    answers the form refuses (type, range, unknown field)."""
    staff = check_grant(actor, enrolment.program)
    locked = (
        Enrolment.objects.select_for_update()
        .select_related("program", "person")
        .filter(pk=enrolment.pk)
        .first()
    )
    if locked is None:
        raise OutOfScope()
    program, person = locked.program, locked.person
    if locked.status != EnrolmentStatus.ACTIVE:
        raise ValidationError(
            _("该人员已于%(date)s退出「%(program)s」，不能登记随访。")
            % {"date": locked.exited_on, "program": program.name},
            code="not_enrolled",
        )
    today = timezone.localdate()
    if not isinstance(visited_on, dt.date):
        raise _refuse("visited_on", _("请填写随访日期。"), "required")
    if visited_on > today:
        raise _refuse("visited_on", _("随访日期不能晚于今天。"), "future_date")
    if person.life_status == LifeStatus.DECEASED and (
        person.status_date is None or visited_on > person.status_date
    ):
        raise _refuse("visited_on", _("随访日期晚于该人员的死亡日期。"), "after_death")
    if visited_on < locked.enrolled_on:
        raise _refuse("visited_on", _("随访日期不能早于纳入日期。"), "before_enrolment")
    if kind not in VisitKind.values:
        raise _refuse("kind", _("请选择随访方式。"), "invalid_choice")
    codes = [str(o[0]) for o in program.outcomes]
    if codes and outcome not in codes:
        raise _refuse("outcome", _("请选择随访结果。"), "invalid_choice")
    if next_due_on is not None and next_due_on <= visited_on:
        raise _refuse("next_due_on", _("下次随访日期应晚于本次随访日期。"), "invalid_next_due")
    cleaned = visitforms.clean_visit_data(program.form_schema, data, visited_on=visited_on)
    visit = Visit.objects.create(
        enrolment=locked,
        visited_on=visited_on,
        kind=kind,
        performer=staff,
        performer_name=staff.display_name if staff else actor.name[:60],
        data=cleaned,
        outcome=outcome,
        notes=notes.strip(),
        next_due_on=next_due_on,
        area_code=locked.area_code,
        restricted_to_id=locked.restricted_to_id,
        recorded_by_id=actor.user_id,
    )
    recompute_next_due(locked)
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="programs.visit",
        object_id=visit.pk,
        object_label=f"{program.name} {person.name}",
        changes={"enrolment": locked.pk, "visited_on": str(visited_on), "kind": kind},
    )
    return visit
