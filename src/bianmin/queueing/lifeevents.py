"""Queueing's part of a life event (`core.lifecycle`).

DEATH: every booking (预约) still open for a day from the date of death on is cancelled with the
reason 申请人死亡 — its place goes back to the slot, and the booking's phone gets the
cancellation message, as for any cancellation — and every queue ticket still waiting is
cancelled (it leaves the queue and the board). A number already called stays with the window.
Bookings are matched by the person and by the ID number's keyed hash, since one made before
the person was in the registry has no person link.

MOVE and MOVE_OUT: nothing. Any hall of the city serves any resident (一窗通办, residents of
elsewhere book too), so a booking does not depend on where its holder lives.

The check `queueing.bookings_of_deceased`: no booking and no waiting ticket of a deceased
person for a day on or after the date of death.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Q

from bianmin.core import lifecycle
from bianmin.core.lifecycle import Contradiction, LifeEvent
from bianmin.queueing.models import Appointment, AppointmentStatus, Ticket, TicketStatus
from bianmin.registry.models import LifeStatus, Person

DEATH_REASON = "申请人死亡"
CHECK = "queueing.bookings_of_deceased"


def _of(person: Person, person_field: str, hash_field: str) -> Q:
    return Q(**{person_field: person.pk}) | Q(**{hash_field: person.id_hash})


def cancel_for_death(event: LifeEvent, actor) -> str | None:
    from bianmin.queueing.services import cancel_appointment, cancel_ticket

    person = Person.unscoped.get(pk=event.person_id)
    bookings = Appointment.unscoped.filter(
        _of(person, "person_id", "id_hash"),
        status=AppointmentStatus.BOOKED,
        date__gte=event.occurred_on,
    ).order_by("date", "pk")
    cancelled = [
        cancel_appointment(actor=actor, appointment=a, reason=DEATH_REASON).reference
        for a in bookings
    ]
    tickets = Ticket.unscoped.filter(
        _of(person, "person_id", "applicant_hash"),
        status=TicketStatus.WAITING,
        day__gte=event.occurred_on,
    ).order_by("pk")
    withdrawn = [cancel_ticket(actor=actor, ticket=t, reason=DEATH_REASON).number for t in tickets]
    parts = []
    if cancelled:
        parts.append(f"取消预约{len(cancelled)}个（{'、'.join(cancelled)}）")
    if withdrawn:
        parts.append(f"取消排队号{len(withdrawn)}张（{'、'.join(withdrawn)}）")
    return f"{'，'.join(parts)}，原因：{DEATH_REASON}" if parts else None


def _unlinked(rows, hash_field: str, day_field: str) -> Iterator[tuple]:
    """Rows with no person link whose ID hash is a deceased person's, dated from the death on:
    a few person-less rows are looked up, not every deceased person."""
    orphans = list(
        rows.filter(person__isnull=True).values_list("pk", "number_or_ref", day_field, hash_field)
    )
    dead = dict(
        (digest, (pk, died))
        for pk, digest, died in Person.unscoped.filter(
            life_status=LifeStatus.DECEASED, id_hash__in={o[3] for o in orphans}
        ).values_list("pk", "id_hash", "status_date")
    )
    for pk, label, day, digest in orphans:
        person_id, died = dead.get(digest, (None, None))
        if died is not None and day >= died:
            yield pk, label, day, person_id


def check_bookings() -> Iterator[Contradiction]:
    bookings = Appointment.unscoped.filter(status=AppointmentStatus.BOOKED).annotate(
        number_or_ref=F("reference")
    )
    linked = bookings.filter(
        person__life_status=LifeStatus.DECEASED, date__gte=F("person__status_date")
    ).values_list("pk", "reference", "date", "person_id")
    for pk, reference, day, person_id in [*linked, *_unlinked(bookings, "id_hash", "date")]:
        yield Contradiction(
            check=CHECK,
            model="queueing.Appointment",
            pk=pk,
            person_id=person_id,
            message=f"预约{reference}（{day}）仍有效，预约人已死亡",
        )
    waiting = Ticket.unscoped.filter(status=TicketStatus.WAITING).annotate(
        number_or_ref=F("number")
    )
    linked = waiting.filter(
        person__life_status=LifeStatus.DECEASED, day__gte=F("person__status_date")
    ).values_list("pk", "number", "day", "person_id")
    for pk, number, day, person_id in [*linked, *_unlinked(waiting, "applicant_hash", "day")]:
        yield Contradiction(
            check=CHECK,
            model="queueing.Ticket",
            pk=pk,
            person_id=person_id,
            message=f"{day}的{number}号仍在等候，取号人已死亡",
        )


def register() -> None:
    lifecycle.register_handler(lifecycle.DEATH, "queueing.bookings", cancel_for_death, order=30)
    lifecycle.register_check(CHECK, check_bookings)
