"""A death reaches the queue: the deceased's bookings and waiting tickets are cancelled with the
reason (the place goes back to the slot, the booker is told), nothing new is taken in their
name, and `bianmin consistency` lists a booking a missing handler would leave behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bianmin.core import lifecycle
from bianmin.notifications.models import OutboxMessage
from bianmin.queueing import services
from bianmin.queueing.lifeevents import CHECK, cancel_for_death
from bianmin.queueing.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Ticket,
    TicketStatus,
)
from bianmin.registry.services import lifeevents
from tests import factories
from tests.conftest import BAOCHENG
from tests.exchange.helpers import ACTOR
from tests.queueing.conftest import MONDAY, error_code, open_all

pytestmark = pytest.mark.django_db
T = dt.time


@pytest.fixture
def slots(dazhi, clock, system_actor):
    tuesday = MONDAY + dt.timedelta(days=1)
    return [
        services.create_slot(
            actor=system_actor, category=dazhi.a, date=day, start=T(10), end=T(10, 30), capacity=2
        )
        for day in (MONDAY, tuesday)
    ]


def _resident():
    number = factories.id_number(birth=dt.date(1948, 2, 2))
    return factories.person(community=BAOCHENG, id_number=number, name="周大爷"), number


def test_death_cancels_bookings_and_waiting_tickets_with_the_reason(
    slots, dazhi, clock, system_actor
):
    person, number = _resident()
    other = factories.id_number(birth=dt.date(1990, 1, 1))
    mine = [
        services.book_appointment(
            actor=system_actor, slot=s, id_number=number, name="周大爷", phone="13912340000"
        )
        for s in slots
    ]
    kept = services.book_appointment(
        actor=system_actor, slot=slots[1], id_number=other, name="王芳", phone="13912341111"
    )
    waiting = services.take_ticket(actor=system_actor, category=dazhi.b, id_number=number)
    # A number already called stays with the window that called it.
    open_all(system_actor, dazhi)
    called = services.take_ticket(actor=system_actor, category=dazhi.c, id_number=number)
    services.call_next(actor=system_actor, window=dazhi.w3)

    result = lifeevents.record_death(actor=ACTOR, person=person, died_on=MONDAY, source="公安推送")

    for a in mine:
        a.refresh_from_db()
        assert (a.status, a.cancel_reason) == (AppointmentStatus.CANCELLED, "申请人死亡")
    assert Appointment.objects.get(pk=kept.pk).status == AppointmentStatus.BOOKED
    assert [s.booked for s in AppointmentSlot.objects.order_by("date")] == [0, 1]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.cancel_reason) == (TicketStatus.CANCELLED, "申请人死亡")
    assert Ticket.objects.get(pk=called.pk).status == TicketStatus.CALLED
    summary = dict((o["handler"], o["summary"]) for o in result.outcomes)["queueing.bookings"]
    assert mine[0].reference in summary and waiting.number in summary and "申请人死亡" in summary
    message = OutboxMessage.objects.get(dedupe_key=f"appointment:{mine[0].reference}:cancelled")
    assert "周大爷" in message.body and "原因：申请人死亡" in message.body
    assert number not in message.body
    assert lifecycle.run_checks(only=[CHECK]) == []
    # Told again: nothing more to cancel, nothing sent twice.
    again = lifeevents.record_death(actor=ACTOR, person=person, died_on=MONDAY, source="卫健推送")
    assert again.already
    sent = OutboxMessage.objects.filter(related_type="appointment", related_id=mine[0].pk)
    assert sorted(m.dedupe_key.rsplit(":", 1)[1] for m in sent) == ["booked", "cancelled"]


def test_nothing_is_taken_in_a_deceased_persons_name(slots, dazhi, clock, system_actor):
    person, number = _resident()
    lifeevents.record_death(actor=ACTOR, person=person, died_on=MONDAY, source="公安推送")
    with pytest.raises(ValidationError) as e:
        services.book_appointment(
            actor=system_actor, slot=slots[1], id_number=number, name="周大爷", phone="13912340000"
        )
    assert error_code(e.value) == "applicant_deceased"
    with pytest.raises(ValidationError) as e:
        services.take_ticket(actor=system_actor, category=dazhi.a, id_number=number)
    assert error_code(e.value) == "applicant_deceased"
    assert not Appointment.objects.exists() and not Ticket.objects.exists()
    assert AppointmentSlot.objects.get(pk=slots[1].pk).booked == 0


def test_the_check_lists_what_a_missing_handler_leaves(slots, dazhi, clock, system_actor):
    tuesday = slots[1].date
    person, number = _resident()
    before, after = (
        services.book_appointment(
            actor=system_actor, slot=s, id_number=number, name="周大爷", phone="13912340000"
        )
        for s in slots
    )
    # Booked before the person was in the registry: matched by the ID number's hash.
    Appointment.objects.filter(pk=after.pk).update(person=None)
    neighbour_number = factories.id_number(birth=dt.date(1950, 7, 7), male=False)
    neighbour = factories.person(community=BAOCHENG, name="吴婶", id_number=neighbour_number)
    ticket = services.take_ticket(actor=system_actor, category=dazhi.a, id_number=neighbour_number)
    lifecycle.unregister_handler(lifecycle.DEATH, "queueing.bookings")
    try:
        lifeevents.record_death(actor=ACTOR, person=person, died_on=tuesday, source="公安推送")
        lifeevents.record_death(actor=ACTOR, person=neighbour, died_on=MONDAY, source="公安推送")
    finally:
        lifecycle.register_handler(lifecycle.DEATH, "queueing.bookings", cancel_for_death, order=30)
    found = {(c.model, c.pk, c.person_id) for c in lifecycle.run_checks(only=[CHECK])}
    # Monday's booking is before the death: the no-show sweep's business, not the death's.
    assert found == {
        ("queueing.Appointment", after.pk, person.pk),
        ("queueing.Ticket", ticket.pk, neighbour.pk),
    }
    assert Appointment.objects.get(pk=before.pk).status == AppointmentStatus.BOOKED
