"""Life events: a death or a move-out ends every follow-up; a move takes the person's
enrolments (and their visit history) to the new area and responsible unit. Registered with
`core.lifecycle` in `ProgramsConfig.ready()`; they run inside the event's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import F, Q

from bianmin.core.lifecycle import Contradiction, LifeEvent
from bianmin.programs.models import Enrolment, EnrolmentStatus, ExitReason, Visit
from bianmin.programs.services.common import responsible_unit
from bianmin.programs.services.enrolment import exit_enrolment
from bianmin.registry.models import LifeStatus, Person


def _exit_all(event: LifeEvent, actor: Any, reason: str) -> str | None:
    active = Enrolment.unscoped.select_related("program").filter(
        person_id=event.person_id, status=EnrolmentStatus.ACTIVE
    )
    names = []
    for enrolment in active:
        exit_enrolment(
            actor=actor,
            enrolment=enrolment,
            reason=reason,
            on=event.occurred_on,
            note=f"{event.source} {event.reason}".strip()[:200],
            check=False,
        )
        names.append(enrolment.program.name)
    return f"随访结案 {len(names)} 项：{'、'.join(names)}" if names else None


def on_death(event: LifeEvent, actor: Any) -> str | None:
    return _exit_all(event, actor, ExitReason.DEATH)


def on_move_out(event: LifeEvent, actor: Any) -> str | None:
    return _exit_all(event, actor, ExitReason.MOVED_OUT)


def on_move(event: LifeEvent, actor: Any) -> str | None:
    """The person's area comes from the event (`to.area_code` as the registry's
    `record_move` sends it, or a bare `area_code`/`grid`) or, failing that, from the person
    row the registry has already updated."""
    to = event.data.get("to") or {}
    area = to.get("area_code") or event.data.get("area_code") or event.data.get("grid")
    if not area:
        area = (
            Person.unscoped.filter(pk=event.person_id).values_list("area_code", flat=True).first()
        )
    if not area:
        return None
    moved = 0
    for enrolment in Enrolment.unscoped.select_related("program").filter(
        person_id=event.person_id, status=EnrolmentStatus.ACTIVE
    ):
        unit = responsible_unit(enrolment.program, area)
        Enrolment.unscoped.filter(pk=enrolment.pk).update(area_code=area, responsible_unit=unit)
        moved += 1
    # The history goes with the person: the new worker needs the past visits.
    Visit.unscoped.filter(enrolment__person_id=event.person_id).exclude(area_code=area).update(
        area_code=area
    )
    return f"随访责任区划转至 {area}（{moved} 项）" if moved else None


def check_follow_ups() -> Iterator[Contradiction]:
    """An active enrolment (or anything still due) for a person who died or moved out, and an
    active enrolment whose area is not the person's."""
    gone = Q(person__life_status__in=[LifeStatus.DECEASED, LifeStatus.MOVED_OUT])
    rows = Enrolment.unscoped.filter(gone & (Q(status="active") | Q(next_due_on__isnull=False)))
    for e in rows.select_related("person", "program"):
        yield Contradiction(
            check="programs.follow_ups",
            model="programs.Enrolment",
            pk=e.pk,
            person_id=e.person_id,
            message=f"{e.program.name}：人员状态为{e.person.get_life_status_display()}，"
            f"仍有随访（下次 {e.next_due_on or '—'}）",
        )
    stale = Enrolment.unscoped.filter(
        status="active", person__life_status=LifeStatus.ALIVE
    ).exclude(area_code=F("person__area_code"))
    for e in stale.select_related("program"):
        yield Contradiction(
            check="programs.follow_ups",
            model="programs.Enrolment",
            pk=e.pk,
            person_id=e.person_id,
            message=f"{e.program.name}：随访区划 {e.area_code} 与人员现管辖区划不一致",
        )
