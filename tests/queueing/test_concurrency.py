"""Real concurrency on PostgreSQL: kiosks, windows and bookings racing in threads, each with its
own database connection. (SQLite serialises every write transaction, so there is no race to
show there; its test database is also one in-memory file the threads would share.)"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from bianmin.core.audit import Actor
from bianmin.queueing import services
from bianmin.queueing.models import Appointment, AppointmentSlot, Ticket, TicketStatus
from tests import factories
from tests.queueing.conftest import MONDAY, error_code, local
from tests.racing import race

_ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    # Decided at collection, so on SQLite no transactional database is set up and flushed.
    pytest.mark.skipif(not _ON_POSTGRES, reason="needs PostgreSQL: row locks between sessions"),
    pytest.mark.django_db(transaction=True),
]
ACTOR = Actor(name="pytest")


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """A transactional test starts from a flushed database (tests/conftest.py)."""


def codes(results: list[Any]) -> Counter:
    return Counter(
        error_code(r) if isinstance(r, ValidationError) else type(r).__name__ for r in results
    )


def test_concurrent_kiosks_never_issue_the_same_number(dazhi, clock):
    results = race(20, lambda i: services.take_ticket(actor=ACTOR, category=dazhi.a).number)
    assert sorted(results) == [f"A{n:03d}" for n in range(1, 21)]
    assert Ticket.unscoped.filter(category=dazhi.a).count() == 20


def test_concurrent_windows_never_call_the_same_ticket(dazhi, clock):
    # Eight windows serving A race for 40 waiting tickets, calling and finishing in a loop.
    windows = [dazhi.w1, dazhi.w2] + [
        services.create_window(actor=ACTOR, hall=dazhi.hall, number=n, categories=[dazhi.a])
        for n in range(4, 10)
    ]
    for window in windows:
        services.open_window(actor=ACTOR, window=window)
    for minute in range(40):
        clock.set(local(MONDAY, 9, minute))
        services.take_ticket(actor=ACTOR, category=dazhi.a)
    clock.set(local(MONDAY, 10, 0))

    def serve_until_empty(i: int) -> list[int]:
        called = []
        while True:
            try:
                ticket = services.call_next(actor=ACTOR, window=windows[i])
            except ValidationError as e:
                assert error_code(e) == "no_waiting_ticket"
                return called
            called.append(ticket.pk)
            services.finish(actor=ACTOR, ticket=ticket)

    per_window = race(len(windows), serve_until_empty)
    assert not [r for r in per_window if isinstance(r, Exception)], per_window
    called = [pk for ids in per_window for pk in ids]
    assert len(called) == len(set(called)) == 40
    assert sum(1 for ids in per_window if ids) > 1  # the windows really did work side by side
    assert Ticket.unscoped.filter(status=TicketStatus.DONE).count() == 40
    # Each window served its share in queue order: its own calls are in ascending number.
    for ids in per_window:
        assert ids == sorted(ids)


def test_two_windows_calling_at_the_same_instant(dazhi, clock):
    services.open_window(actor=ACTOR, window=dazhi.w1)
    services.open_window(actor=ACTOR, window=dazhi.w2)
    services.take_ticket(actor=ACTOR, category=dazhi.a)
    services.take_ticket(actor=ACTOR, category=dazhi.a)
    for _round in range(5):
        Ticket.unscoped.all().update(status=TicketStatus.WAITING, window=None)
        got = race(2, lambda i: services.call_next(actor=ACTOR, window=(dazhi.w1, dazhi.w2)[i]))
        assert {t.number for t in got} == {"A001", "A002"}


def test_double_click_on_one_window_takes_one_ticket(dazhi, clock):
    services.open_window(actor=ACTOR, window=dazhi.w1)
    for _ in range(3):
        services.take_ticket(actor=ACTOR, category=dazhi.a)
    results = race(4, lambda i: services.call_next(actor=ACTOR, window=dazhi.w1))
    assert codes(results) == Counter({"Ticket": 1, "window_busy": 3})


def test_capacity_holds_when_everyone_books_the_last_places(dazhi, clock):
    slot = services.create_slot(
        actor=ACTOR, category=dazhi.a, date=MONDAY, start=_t(10), end=_t(10, 30), capacity=4
    )
    ids = [factories.id_number(birth=MONDAY.replace(year=1970 + i)) for i in range(12)]

    def book(i: int):
        return services.book_appointment(
            actor=ACTOR, slot=slot, id_number=ids[i], name=f"居民{i}", phone="13812345678"
        )

    results = race(12, book)
    assert codes(results) == Counter({"Appointment": 4, "slot_full": 8})
    slot.refresh_from_db()
    assert slot.booked == 4 == Appointment.unscoped.filter(slot=slot).count()


def test_one_person_racing_for_two_slots_gets_one(dazhi, clock):
    slots = [
        services.create_slot(
            actor=ACTOR, category=dazhi.a, date=MONDAY, start=_t(h), end=_t(h, 30), capacity=4
        )
        for h in (10, 11)
    ]
    number = factories.id_number()

    def book(i: int):
        return services.book_appointment(
            actor=ACTOR, slot=slots[i], id_number=number, name="张伟", phone="13812345678"
        )

    results = race(2, book)
    assert codes(results) == Counter({"Appointment": 1, "already_booked": 1})
    # The loser's place was given back.
    assert sorted(AppointmentSlot.objects.values_list("booked", flat=True)) == [0, 1]


def _t(hour: int, minute: int = 0):
    import datetime as dt

    return dt.time(hour, minute)
