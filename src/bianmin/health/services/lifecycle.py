"""What a life event means for health records (一次告知，全网联动): death and moving out close
the record with the reason; a move within the platform takes the record to the new area."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Q

from bianmin.core import lifecycle
from bianmin.core.audit import SYSTEM
from bianmin.core.lifecycle import Contradiction, LifeEvent
from bianmin.health.models import HealthCheck, HealthRecord, RecordStatus
from bianmin.health.models.records import CloseReason
from bianmin.health.services.records import close_record
from bianmin.registry.models import LifeStatus, Person


def _close(event: LifeEvent, actor, reason: str) -> str | None:
    record = (
        HealthRecord.unscoped.select_related("person")
        .filter(person_id=event.person_id, status=RecordStatus.ACTIVE)
        .first()
    )
    if record is None:
        return None
    close_record(actor=actor or SYSTEM, record=record, reason=reason, on=event.occurred_on)
    return f"健康档案 {record.record_code} 结案（{record.get_close_reason_display()}）"


def on_death(event: LifeEvent, actor) -> str | None:
    return _close(event, actor, CloseReason.DEATH)


def on_move_out(event: LifeEvent, actor) -> str | None:
    return _close(event, actor, CloseReason.MOVED_OUT)


def on_move(event: LifeEvent, actor) -> str | None:
    area = Person.unscoped.filter(pk=event.person_id).values_list("area_code", flat=True).first()
    if not area:
        return None
    moved = HealthRecord.unscoped.filter(person_id=event.person_id).exclude(area_code=area)
    if moved.update(area_code=area):
        return f"健康档案转至 {area}"
    return None


def contradictions() -> Iterator[Contradiction]:
    """Open records of people who died or left; measurements dated after a death."""
    gone = HealthRecord.unscoped.filter(
        status=RecordStatus.ACTIVE,
        person__life_status__in=[LifeStatus.DECEASED, LifeStatus.MOVED_OUT],
    ).values_list("pk", "person_id", "record_code")
    for pk, person_id, code in gone:
        yield Contradiction(
            "health.records", "health.HealthRecord", pk, person_id, f"档案 {code} 未结案"
        )
    late = HealthCheck.unscoped.filter(
        Q(record__person__life_status=LifeStatus.DECEASED),
        checked_on__gt=F("record__person__status_date"),
    ).values_list("pk", "record__person_id", "checked_on")
    for pk, person_id, day in late:
        yield Contradiction(
            "health.records", "health.HealthCheck", pk, person_id, f"{day} 的测量晚于死亡日期"
        )


def register() -> None:
    lifecycle.register_handler(lifecycle.DEATH, "health.records", on_death, order=50)
    lifecycle.register_handler(lifecycle.MOVE_OUT, "health.records", on_move_out, order=50)
    lifecycle.register_handler(lifecycle.MOVE, "health.records", on_move, order=50)
    lifecycle.register_check("health.records", contradictions)
