"""预约: slots on working days only, capacity, one booking a day, cancel, check-in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bianmin.core.models import AuditEntry
from bianmin.core.workdays import CalendarNotCovered
from bianmin.notifications.models import OutboxMessage
from bianmin.queueing import services
from bianmin.queueing.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Ticket,
    TicketSource,
)
from bianmin.queueing.services import SlotTemplate
from tests import factories
from tests.conftest import BAOCHENG
from tests.queueing.conftest import MONDAY, NATIONAL_DAY, error_code, local

pytestmark = pytest.mark.django_db
T = dt.time
UNCOVERED = dt.date(2031, 3, 3)  # a Monday of a year no holiday notice covers yet


def code_of(excinfo) -> str:
    return error_code(excinfo.value)


@pytest.fixture
def slot(dazhi, clock, system_actor):
    return services.create_slot(
        actor=system_actor, category=dazhi.a, date=MONDAY, start=T(10), end=T(10, 30), capacity=2
    )


def book(slot, actor, id_number=None, **extra):
    return services.book_appointment(
        actor=actor,
        slot=slot,
        id_number=id_number or factories.id_number(),
        name=extra.pop("name", "王芳"),
        phone=extra.pop("phone", "13912345678"),
        **extra,
    )


class TestSlots:
    def test_generate_working_days_from_template(self, dazhi, clock, system_actor):
        # 28 Sep – 11 Oct 2026: National Day week off, Sunday 27 Sep and Saturday 10 Oct worked.
        created = services.generate_slots(
            actor=system_actor,
            category=dazhi.a,
            start_date=dt.date(2026, 9, 28),
            end_date=dt.date(2026, 10, 11),
        )
        days = sorted(set(AppointmentSlot.objects.values_list("date", flat=True)))
        assert days == [
            dt.date(2026, 9, 28),
            dt.date(2026, 9, 29),
            dt.date(2026, 9, 30),
            dt.date(2026, 10, 8),
            dt.date(2026, 10, 9),
            dt.date(2026, 10, 10),  # 调休 working Saturday
        ]
        # 9:00–12:00 and 13:30–17:00 in half hours: 6 + 7 slots a day.
        assert created == 6 * 13
        first_day = AppointmentSlot.objects.filter(date=dt.date(2026, 9, 28)).order_by("start")
        assert [(s.start, s.end) for s in first_day][5:8] == [
            (T(11, 30), T(12)),
            (T(13, 30), T(14)),
            (T(14), T(14, 30)),
        ]
        assert {s.capacity for s in first_day} == {4}
        # Again over an overlapping range: only the missing days are added.
        again = services.generate_slots(
            actor=system_actor,
            category=dazhi.a,
            start_date=dt.date(2026, 10, 9),
            end_date=dt.date(2026, 10, 12),
            template=SlotTemplate(periods=((T(9), T(12)),), minutes=30),
        )
        assert again == 6  # Monday 12 Oct only; 9 and 10 Oct already had their slots

    def test_uncovered_year_is_refused_not_guessed(self, dazhi, clock, system_actor):
        with pytest.raises(CalendarNotCovered) as e:
            services.generate_slots(
                actor=system_actor, category=dazhi.a, start_date=UNCOVERED, end_date=UNCOVERED
            )
        assert e.value.code == "calendar_not_covered"
        assert "2031年的法定节假日和调休安排尚未录入工作日历" in e.value.messages[0]
        with pytest.raises(CalendarNotCovered):
            services.create_slot(
                actor=system_actor,
                category=dazhi.a,
                date=UNCOVERED,
                start=T(9),
                end=T(9, 30),
                capacity=4,
            )
        assert not AppointmentSlot.objects.exists()

    def test_no_slot_on_a_holiday(self, dazhi, clock, system_actor):
        with pytest.raises(ValidationError) as e:
            services.create_slot(
                actor=system_actor,
                category=dazhi.a,
                date=NATIONAL_DAY,
                start=T(9),
                end=T(9, 30),
                capacity=4,
            )
        assert code_of(e) == "slot_not_workday"
        assert e.value.message_dict["date"] == [
            "2026-10-01不是工作日（法定节假日或休息日），不能预约。"
        ]


class TestBooking:
    def test_book_links_person_masks_and_notifies(self, slot, clock, system_actor):
        resident = factories.person(community=BAOCHENG, name="李娜")
        from bianmin.core import crypto

        number = crypto.decrypt(resident.id_cipher)
        appointment = book(slot, system_actor, number, name="李娜", phone="139 1234 5678")
        assert appointment.person == resident and appointment.status == AppointmentStatus.BOOKED
        assert appointment.phone == "13912345678" and appointment.id_masked == resident.id_masked
        assert number not in str(Appointment.unscoped.filter(pk=appointment.pk).values()[0])
        slot.refresh_from_db()
        assert slot.booked == 1 and slot.available == 1
        sms = OutboxMessage.objects.get(dedupe_key=f"appointment:{appointment.reference}:booked")
        assert sms.recipient_address == "13912345678" and appointment.reference in sms.body
        assert "06月15日 10:00-10:30" in sms.body
        entry = AuditEntry.objects.filter(object_type="appointment").latest("pk")
        assert entry.action == "create" and number not in entry.object_label

    def test_capacity(self, slot, clock, system_actor):
        book(slot, system_actor)
        book(slot, system_actor)
        with pytest.raises(ValidationError) as e:
            book(slot, system_actor)
        assert code_of(e) == "slot_full"
        assert e.value.message_dict["slot"] == ["该时段预约已满，请选择其他时段。"]
        assert Appointment.unscoped.count() == 2

    def test_one_active_booking_per_person_per_day(self, slot, dazhi, clock, system_actor):
        number = factories.id_number()
        afternoon = services.create_slot(
            actor=system_actor,
            category=dazhi.b,
            date=MONDAY,
            start=T(14),
            end=T(14, 30),
            capacity=4,
        )
        first = book(slot, system_actor, number)
        with pytest.raises(ValidationError) as e:
            book(afternoon, system_actor, number)
        assert code_of(e) == "already_booked"
        assert e.value.messages == ["该身份证号码在2026-06-15已有预约，每人每天只能预约一个时段。"]
        # Cancelled, the day is free again and the place goes back to the slot.
        services.cancel_appointment(actor=system_actor, appointment=first)
        slot.refresh_from_db()
        assert slot.booked == 0
        assert book(afternoon, system_actor, number).status == AppointmentStatus.BOOKED
        assert OutboxMessage.objects.filter(dedupe_key__endswith=":cancelled").count() == 1

    def test_holiday_slot_created_before_the_notice_is_refused(self, dazhi, clock, system_actor):
        # A slot stored before the holiday was entered (here: directly) cannot be booked.
        holiday_slot = AppointmentSlot.objects.create(
            hall=dazhi.hall,
            category=dazhi.a,
            date=NATIONAL_DAY,
            start=T(9),
            end=T(9, 30),
            capacity=4,
        )
        with pytest.raises(ValidationError) as e:
            book(holiday_slot, system_actor)
        assert code_of(e) == "slot_not_workday"
        uncovered = AppointmentSlot.objects.create(
            hall=dazhi.hall, category=dazhi.a, date=UNCOVERED, start=T(9), end=T(9, 30), capacity=4
        )
        with pytest.raises(CalendarNotCovered):
            book(uncovered, system_actor)
        holiday_slot.refresh_from_db()
        assert holiday_slot.booked == 0 and not Appointment.unscoped.exists()

    def test_past_slot_and_bad_input(self, slot, clock, system_actor):
        good = factories.id_number()
        with pytest.raises(ValidationError) as e:
            book(slot, system_actor, good[:17] + ("1" if good[17] != "1" else "2"))
        assert code_of(e) == "id_number_check_digit" and "id_number" in e.value.message_dict
        with pytest.raises(ValidationError) as e:
            book(slot, system_actor, phone="12345")
        assert list(e.value.message_dict) == ["phone"]
        with pytest.raises(ValidationError) as e:
            book(slot, system_actor, name="  ")
        assert code_of(e) == "name_required"
        with pytest.raises(ValidationError) as e:
            book(slot, system_actor, item_code="NO-SUCH-ITEM")
        assert code_of(e) == "unknown_item"
        clock.set(local(MONDAY, 10, 0))
        with pytest.raises(ValidationError) as e:
            book(slot, system_actor)
        assert code_of(e) == "slot_past"
        slot.refresh_from_db()
        assert slot.booked == 0

    def test_cancel_twice_is_invalid(self, slot, clock, system_actor):
        appointment = book(slot, system_actor)
        services.cancel_appointment(actor=system_actor, appointment=appointment)
        with pytest.raises(ValidationError) as e:
            services.cancel_appointment(actor=system_actor, appointment=appointment)
        assert code_of(e) == "invalid_transition"


class TestCheckIn:
    def test_checked_in_ticket_goes_first_within_its_slot(
        self, slot, dazhi, clock, system_actor, clerk_actor
    ):
        number = factories.id_number()
        appointment = book(slot, system_actor, number)
        services.open_window(actor=clerk_actor, window=dazhi.w1)
        clock.set(local(MONDAY, 9, 50))
        walk_ins = [services.take_ticket(actor=system_actor, category=dazhi.a) for _ in range(3)]
        clock.set(local(MONDAY, 9, 55))
        ticket = services.check_in_by_id(actor=system_actor, hall=dazhi.hall, id_number=number)
        assert (ticket.number, ticket.source) == ("A004", TicketSource.APPOINTMENT)
        assert ticket.priority_at == local(MONDAY, 10) and ticket.appointment == appointment
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CHECKED_IN
        # Before the slot begins the appointment waits like anyone who came at 9:55.
        clock.set(local(MONDAY, 9, 58))
        first = services.call_next(actor=clerk_actor, window=dazhi.w1)
        assert first == walk_ins[0]
        services.finish(actor=clerk_actor, ticket=first)
        # From 10:00 it goes before the walk-ins who came earlier.
        clock.set(local(MONDAY, 10, 1))
        second = services.call_next(actor=clerk_actor, window=dazhi.w1)
        assert second == ticket

    def test_check_in_is_once_and_on_the_day(self, slot, dazhi, clock, system_actor):
        number = factories.id_number()
        appointment = book(slot, system_actor, number)
        clock.set(local(MONDAY - dt.timedelta(days=3), 9))  # the Friday before
        with pytest.raises(ValidationError) as e:
            services.check_in(actor=system_actor, appointment=appointment)
        assert code_of(e) == "invalid_transition"
        assert e.value.messages == ["预约日期为2026-06-15，只能在预约当天签到。"]
        clock.set(local(MONDAY, 9, 40))
        services.check_in(actor=system_actor, appointment=appointment)
        with pytest.raises(ValidationError) as e:
            services.check_in_by_id(actor=system_actor, hall=dazhi.hall, id_number=number)
        assert code_of(e) == "no_appointment"
        assert Ticket.unscoped.filter(appointment=appointment).count() == 1

    def test_late_arrival_is_served_as_a_walk_in(self, slot, clock, system_actor):
        appointment = book(slot, system_actor)
        clock.set(local(MONDAY, 10, 45))
        ticket = services.check_in(actor=system_actor, appointment=appointment)
        assert ticket.priority_at is None and ticket.source == TicketSource.APPOINTMENT

    def test_appointment_is_honoured_when_walk_in_numbers_ran_out(self, slot, dazhi, clock):
        from bianmin.core.audit import Actor

        actor = Actor(name="pytest")
        appointment = book(slot, actor)
        dazhi.a.daily_limit = 1
        dazhi.a.save()
        services.take_ticket(actor=actor, category=dazhi.a)
        with pytest.raises(ValidationError):
            services.take_ticket(actor=actor, category=dazhi.a)
        clock.set(local(MONDAY, 9, 59))
        assert services.check_in(actor=actor, appointment=appointment).number == "A002"

    def test_end_of_day_sweep_marks_no_shows(self, slot, clock, system_actor):
        kept = book(slot, system_actor)
        missed = book(slot, system_actor)
        clock.set(local(MONDAY, 10, 5))
        services.check_in(actor=system_actor, appointment=kept)
        assert services.expire_appointments(day=MONDAY) == 1
        missed.refresh_from_db()
        assert missed.status == AppointmentStatus.NO_SHOW
