"""Life events told once (一次告知，全网联动): a death, a move, a move-out — recorded here once,
whether a clerk enters it at the window or a department pushes it, and then dispatched to every
register (`core.lifecycle`) in the same transaction: either every register follows or nothing
changed. Each event keeps a `LifeEventRecord` listing what each handler did.

A death is told once: the same death told again (another department, a replayed push) with the
same date adds a confirmation to the existing record and changes nothing else; with another
date it is refused as a conflict for a person to resolve.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from bianmin.core import audit, lifecycle
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditAction
from bianmin.core.scope import acting_in
from bianmin.exchange.models import LifeEventRecord
from bianmin.exchange.texts import error
from bianmin.registry.models import LifeStatus, Person
from bianmin.registry.services.lifeevents_household import (  # noqa: F401 - part of the API
    _notify_family,
    appoint_head,
    family_contact,
)
from bianmin.registry.services.people import area_code_for, person_label, resolve_grid


@dataclass(frozen=True)
class LifeEventResult:
    record: LifeEventRecord
    already: bool  # the event had been told before: nothing changed but a confirmation

    @property
    def outcomes(self) -> list[dict]:
        return self.record.outcomes


def _locked(person: Person) -> Person:
    found = Person.objects.select_for_update().filter(pk=person.pk).first()
    if found is None:
        raise OutOfScope()
    return found


def _validate_day(person: Person, day: dt.date, source: str) -> str:
    if day > timezone.localdate():
        raise error("future_date", field="date")
    if day < person.birth_date:
        raise error("before_birth", field="date")
    source = (source or "").strip()
    if not source:
        raise error("source_required", field="source")
    return source[:100]


def _confirm(record: LifeEventRecord, actor: Actor, source: str, reference: str) -> None:
    record.confirmations = [
        *record.confirmations,
        {"source": source, "reference": reference, "at": timezone.now().isoformat()},
    ]
    record.save(update_fields=["confirmations"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="life_event",
        object_id=record.pk,
        object_label=person_label(record.person),
        changes={"confirmed_by": source, "kind": record.kind},
    )


def _dispatch(record: LifeEventRecord, actor: Actor, data: dict) -> None:
    event = lifecycle.LifeEvent(
        kind=record.kind,
        person_id=record.person_id,
        occurred_on=record.occurred_on,
        source=record.source,
        reason=record.reason,
        data={**data, "record_id": record.pk},
    )
    # Every register follows the event, wherever its rows are: a clerk's scope decided whether
    # they may record it, not which registers hear of it.
    with acting_in(None):
        done = lifecycle.dispatch(event, actor)
    record.outcomes = [{"handler": name, "summary": summary} for name, summary in done]
    record.save(update_fields=["outcomes"])


def _new_record(
    kind: str, person: Person, day: dt.date, actor: Actor, source: str, **extra
) -> LifeEventRecord:
    return LifeEventRecord.objects.create(
        kind=kind,
        person=person,
        occurred_on=day,
        source=source,
        recorded_by=actor.name[:150],
        area_code=person.area_code,
        **extra,
    )


@transaction.atomic
def record_death(
    *,
    actor: Actor,
    person: Person,
    died_on: dt.date,
    source: str,
    reason: str = "",
    reference: str = "",
) -> LifeEventResult:
    """死亡登记: the person becomes deceased and every register follows (cases terminated,
    follow-ups stopped, benefits ended, certificates marked, household updated) in this
    transaction; the family contact is told through the outbox."""
    person = _locked(person)
    source = _validate_day(person, died_on, source)
    existing = LifeEventRecord.objects.filter(person=person, kind=lifecycle.DEATH).first()
    if existing is not None and person.life_status != LifeStatus.DECEASED:
        # The earlier death was corrected back to alive at the window; told again, it is a
        # new death: the record is reused (one per person) and the registers follow again.
        existing.confirmations = [
            *existing.confirmations,
            {"reopened": existing.occurred_on.isoformat(), "at": timezone.now().isoformat()},
        ]
        existing.occurred_on, existing.source = died_on, source
        existing.reason, existing.reference = (reason or "")[:200], (reference or "")[:64]
        existing.save()
        return _apply_death(existing, person, actor, reference)
    if existing is not None:
        if existing.occurred_on != died_on:
            raise error(
                "death_date_conflict",
                field="date",
                day=existing.occurred_on.isoformat(),
                source=existing.source,
            )
        _confirm(existing, actor, source, reference)
        return LifeEventResult(existing, already=True)
    record = _new_record(
        lifecycle.DEATH,
        person,
        died_on,
        actor,
        source,
        reason=(reason or "")[:200],
        reference=(reference or "")[:64],
    )
    return _apply_death(record, person, actor, reference)


def _apply_death(
    record: LifeEventRecord, person: Person, actor: Actor, reference: str
) -> LifeEventResult:
    old = person.life_status
    person.life_status, person.status_date, person.status_source = (
        LifeStatus.DECEASED,
        record.occurred_on,
        record.source,
    )
    person.save(update_fields=["life_status", "status_date", "status_source", "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        object_label=person_label(person),
        changes={
            "life_status": [old, LifeStatus.DECEASED],
            "status_date": str(record.occurred_on),
            "source": record.source,
            "life_event": record.pk,
        },
    )
    _dispatch(record, actor, {"reference": reference})
    _notify_family(record, person)
    return LifeEventResult(record, already=False)


@transaction.atomic
def record_move(
    *,
    actor: Actor,
    person: Person,
    moved_on: dt.date,
    source: str,
    grid: str | None = None,
    address: str = "",
    reference: str = "",
) -> LifeEventResult:
    """居住地变更 within the platform's area: new grid (14 digits) and/or actual address. The
    person's residence, grid and area code change; registers that depend on them follow."""
    person = _locked(person)
    source = _validate_day(person, moved_on, source)
    if person.life_status == LifeStatus.DECEASED:
        raise error("person_deceased")
    if person.life_status == LifeStatus.MOVED_OUT:
        raise error("person_moved_out")
    grid = (grid or "").strip()
    address = (address or "").strip()[:200]
    if not grid and not address:
        raise error("move_needs_place", field="grid")
    if grid and (len(grid) != 14 or not grid.isdigit()):
        raise error("bad_grid", field="grid")
    if grid:
        new_grid = resolve_grid(grid)
        residence = new_grid.community
        same_community = new_grid.community_id == person.residence_division_id
        # Another community: the old street address no longer applies unless told again.
        new_address = address or (person.residence_address if same_community else "")
    else:
        new_grid, residence, new_address = person.grid, person.residence_division, address
    area = area_code_for(new_grid, residence, person.registered_division)
    before = {
        "grid": person.grid_id,
        "area_code": person.area_code,
        "address": person.residence_address,
    }
    after = {"grid": new_grid.code if new_grid else None, "area_code": area, "address": new_address}
    if before == after:
        last = (
            LifeEventRecord.objects.filter(person=person, kind=lifecycle.MOVE)
            .order_by("-recorded_at", "-id")
            .first()
        )
        if last is not None:
            _confirm(last, actor, source, reference)
            return LifeEventResult(last, already=True)
    person.grid, person.residence_division, person.area_code = new_grid, residence, area
    person.residence_address = new_address
    person.save(
        update_fields=["grid", "residence_division", "area_code", "residence_address", "updated_at"]
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        object_label=person_label(person),
        changes={"moved": [before["area_code"], area], "source": source},
    )
    record = _move_event(actor, person, before, moved_on, source, reference)
    return LifeEventResult(record, already=False)


def _move_event(
    actor: Actor, person: Person, before: dict, day: dt.date, source: str, reference: str = ""
) -> LifeEventRecord:
    after = {
        "grid": person.grid_id,
        "area_code": person.area_code,
        "address": person.residence_address,
    }
    record = _new_record(
        lifecycle.MOVE,
        person,
        day,
        actor,
        source,
        reference=(reference or "")[:64],
        data={"from": before, "to": after},
    )
    _dispatch(record, actor, {"from": before, "to": after})
    return record


def moved(*, actor: Actor, person: Person, was: tuple, source: str) -> LifeEventRecord:
    """A residence change already written by `people.update_person` (the window's edit form):
    record it as a MOVE and let the registers follow, in the caller's transaction."""
    before = {"grid": was[0], "area_code": was[1], "address": was[2]}
    return _move_event(actor, person, before, timezone.localdate(), source)


@transaction.atomic
def record_move_out(
    *,
    actor: Actor,
    person: Person,
    moved_on: dt.date,
    source: str,
    destination: str = "",
    reference: str = "",
) -> LifeEventResult:
    """户籍迁出: the person leaves the register's area; registers follow (MOVE_OUT handlers)."""
    person = _locked(person)
    source = _validate_day(person, moved_on, source)
    if person.life_status == LifeStatus.DECEASED:
        raise error("person_deceased")
    if person.life_status == LifeStatus.MOVED_OUT:
        last = (
            LifeEventRecord.objects.filter(person=person, kind=lifecycle.MOVE_OUT)
            .order_by("-recorded_at", "-id")
            .first()
        )
        if last is not None:
            _confirm(last, actor, source, reference)
            return LifeEventResult(last, already=True)
    old = person.life_status
    person.life_status, person.status_date, person.status_source = (
        LifeStatus.MOVED_OUT,
        moved_on,
        source,
    )
    person.save(update_fields=["life_status", "status_date", "status_source", "updated_at"])
    record = _new_record(
        lifecycle.MOVE_OUT,
        person,
        moved_on,
        actor,
        source,
        reference=(reference or "")[:64],
        data={"destination": (destination or "")[:200]},
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        object_label=person_label(person),
        changes={
            "life_status": [old, LifeStatus.MOVED_OUT],
            "status_date": str(moved_on),
            "source": source,
            "life_event": record.pk,
        },
    )
    _dispatch(record, actor, {"destination": destination})
    return LifeEventResult(record, already=False)
