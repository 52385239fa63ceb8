from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import SYSTEM, Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditAction
from bianmin.programs import rules
from bianmin.programs.models import (
    Enrolment,
    EnrolmentMode,
    EnrolmentStatus,
    ExitReason,
    Program,
)
from bianmin.programs.services.common import check_grant, responsible_unit
from bianmin.registry.models import LifeStatus, Person
from bianmin.registry.services.people import person_label


def _field_error(field: str, message, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _person_in_scope(person: Person | int) -> Person:
    pk = person.pk if isinstance(person, Person) else person
    found = Person.objects.filter(pk=pk).first()
    if found is None:
        if Person.unscoped.filter(pk=pk).exists():
            raise OutOfScope()
        raise Person.DoesNotExist
    return found


def active_enrolment(*, program: Program, person: Person | int) -> Enrolment:
    """The person's active enrolment in the program, within scope — or a clear refusal."""
    pk = person.pk if isinstance(person, Person) else person
    found = Enrolment.objects.filter(program=program, person_id=pk, status="active").first()
    if found is None:
        if Enrolment.unscoped.filter(program=program, person_id=pk, status="active").exists():
            raise OutOfScope()
        raise ValidationError(
            _("该人员未纳入「%(program)s」，不能登记随访。") % {"program": program.name},
            code="not_enrolled",
        )
    return found


def _new_enrolment(
    program: Program, person: Person, on: dt.date, *, units: dict | None = None, **extra
) -> Enrolment:
    from bianmin.programs.services.visits import compute_next_due

    if units is None:
        unit = responsible_unit(program, person.area_code)
    else:  # a sweep: one look-up per area, not per person
        if person.area_code not in units:
            units[person.area_code] = responsible_unit(program, person.area_code)
        unit = units[person.area_code]
    enrolment = Enrolment(
        program=program,
        person=person,
        enrolled_on=on,
        responsible_unit=unit,
        area_code=person.area_code,
        restricted_to_id=program.restricted_to_id,
        **extra,
    )
    enrolment.next_due_on = compute_next_due(enrolment, [], None)
    return enrolment


@transaction.atomic
def enrol(
    *,
    actor: Actor,
    program: Program,
    person: Person | int,
    enrolled_on: dt.date | None = None,
    note: str = "",
) -> Enrolment:
    """Enrol a person by a worker's decision: the eligibility rule must hold on that day and
    the person must not already be enrolled."""
    check_grant(actor, program)
    person = _person_in_scope(person)
    today = timezone.localdate()
    on = enrolled_on or today
    if not program.active:
        raise ValidationError(_("该项目已停用。"), code="program_inactive")
    if on > today:
        raise _field_error("enrolled_on", _("纳入日期不能晚于今天。"), "future_date")
    if on < person.birth_date:
        raise _field_error("enrolled_on", _("纳入日期不能早于出生日期。"), "before_birth")
    if person.life_status != LifeStatus.ALIVE:
        raise ValidationError(
            _("该人员状态为%(status)s，不能纳入。")
            % {"status": LifeStatus(person.life_status).label},
            code="not_alive",
        )
    unmet = rules.unmet(program.eligibility, person, on=on)
    if unmet:
        raise ValidationError(
            _("不符合「%(program)s」的纳入条件：%(unmet)s。")
            % {"program": program.name, "unmet": "、".join(unmet)},
            code="not_eligible",
        )
    # Lock the person's row so two workers enrolling at once cannot both pass the check.
    Person.unscoped.select_for_update().filter(pk=person.pk).first()
    if Enrolment.unscoped.filter(program=program, person=person, status="active").exists():
        raise ValidationError(
            _("该人员已纳入「%(program)s」。") % {"program": program.name},
            code="already_enrolled",
        )
    enrolment = _new_enrolment(
        program,
        person,
        on,
        enrolled_by_id=actor.user_id,
        enrolment_mode=EnrolmentMode.MANUAL,
        enrol_note=note.strip()[:200],
    )
    enrolment.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="programs.enrolment",
        object_id=enrolment.pk,
        object_label=person_label(person),
        changes={"program": program.code, "enrolled_on": str(on)},
    )
    return enrolment


@transaction.atomic
def exit_enrolment(
    *,
    actor: Actor,
    enrolment: Enrolment,
    reason: str,
    on: dt.date | None = None,
    note: str = "",
    check: bool = True,
) -> Enrolment:
    """End an enrolment with a reason (死亡, 迁出, 本人拒绝 …): nothing further is due.
    `check=False` is for life-event handlers, which act for the system on any area."""
    if check:
        check_grant(actor, enrolment.program)
    manager = Enrolment.objects if check else Enrolment.unscoped
    locked = manager.select_for_update().filter(pk=enrolment.pk).first()
    if locked is None:
        raise OutOfScope()
    today = timezone.localdate()
    on = on or today
    if locked.status != EnrolmentStatus.ACTIVE:
        raise ValidationError(_("该纳入记录已结案。"), code="already_exited")
    if reason not in ExitReason.values:
        raise _field_error("reason", _("请选择结案原因。"), "invalid_choice")
    if reason == ExitReason.OTHER and not note.strip():
        raise _field_error("note", _("结案原因为“其他”时请填写说明。"), "note_required")
    if on > today:
        raise _field_error("on", _("结案日期不能晚于今天。"), "future_date")
    on = max(on, locked.enrolled_on) if not check else on
    if on < locked.enrolled_on:
        raise _field_error("on", _("结案日期不能早于纳入日期。"), "before_enrolment")
    locked.status = EnrolmentStatus.EXITED
    locked.exit_reason, locked.exit_note, locked.exited_on = reason, note.strip()[:200], on
    locked.next_due_on = None
    locked.save(
        update_fields=[
            "status",
            "exit_reason",
            "exit_note",
            "exited_on",
            "next_due_on",
            "updated_at",
        ]
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="programs.enrolment",
        object_id=locked.pk,
        object_label=str(locked.program),
        changes={"status": ["active", "exited"], "reason": reason, "on": str(on)},
    )
    return locked


def auto_enrol_sweep(*, on: dt.date | None = None, actor: Actor = SYSTEM) -> dict[str, int]:
    """For every active automatic program: enrol the eligible who are not enrolled (nor were:
    an exit is a decision the sweep does not overturn), and flag enrolments whose rule no
    longer holds for a worker to decide — never exit them silently. One transaction per
    program, so a large program does not hold the others back."""
    on = on or timezone.localdate()
    totals = {"enrolled": 0, "flagged": 0, "cleared": 0}
    for program in Program.objects.filter(active=True, enrolment_mode=EnrolmentMode.AUTO):
        with transaction.atomic():
            counts = _sweep_program(program, on, actor)
        for k, v in counts.items():
            totals[k] += v
    return totals


def _sweep_program(program: Program, on: dt.date, actor: Actor) -> dict[str, int]:
    eligible = rules.eligible_people(program.eligibility, on=on, manager=Person.unscoped)
    known = Enrolment.unscoped.filter(program=program).values("person_id")
    units: dict = {}
    new = [
        _new_enrolment(program, p, on, units=units, enrolment_mode=EnrolmentMode.AUTO)
        for p in eligible.exclude(pk__in=known).only("pk", "area_code", "birth_date")
    ]
    Enrolment.unscoped.bulk_create(new, batch_size=1000)
    active = Enrolment.unscoped.filter(program=program, status=EnrolmentStatus.ACTIVE)
    flagged = (
        active.filter(ineligible_since__isnull=True)
        .exclude(person__in=eligible.values("pk"))
        .update(ineligible_since=on)
    )
    cleared = active.filter(
        ineligible_since__isnull=False, person__in=eligible.values("pk")
    ).update(ineligible_since=None)
    if new or flagged or cleared:
        audit.record(
            actor,
            AuditAction.CREATE,
            object_type="programs.program",
            object_id=program.pk,
            object_label=program.name,
            changes={"auto_enrolled": len(new), "flagged": flagged, "cleared": cleared},
        )
    return {"enrolled": len(new), "flagged": flagged, "cleared": cleared}
