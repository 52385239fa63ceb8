"""预约服务: slots on working days only, bookings within capacity, one a day per person,
cancellation, and check-in at the hall, which gives a ticket that goes first within its slot.

Capacity holds under concurrency without a lock held across the request: the slot's `booked`
counter is raised by `UPDATE … SET booked = booked + 1 WHERE booked < capacity`, which the
database evaluates against the latest committed row; a partial unique index keeps one active
booking per ID number and day even when two requests race past the friendly pre-check.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from bianmin.catalog.models import ServiceItem
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.identifiers import normalize_mobile, parse_citizen_id
from bianmin.core.masking import mask_id_number
from bianmin.core.models import AuditAction
from bianmin.core.workdays import is_workday
from bianmin.notifications.services import queue_message
from bianmin.queueing import clock
from bianmin.queueing.models import (
    ACTIVE_APPOINTMENT,
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Hall,
    Ticket,
    TicketSource,
    WindowCategory,
)
from bianmin.queueing.services.common import ensure_hall_in_scope, ensure_not_deceased, error
from bianmin.queueing.services.tickets import issue_ticket
from bianmin.registry.models import Person
from bianmin.registry.services.people import hash_of

MAX_RANGE_DAYS = 92
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


@dataclass(frozen=True)
class SlotTemplate:
    """A day's opening periods cut into equal slots (default: 9:00–12:00 and 13:30–17:00 in
    30-minute slots of 4 people, the centres' published hours)."""

    periods: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(9, 0), dt.time(12, 0)),
        (dt.time(13, 30), dt.time(17, 0)),
    )
    minutes: int = 30
    capacity: int = 4

    def times(self) -> list[tuple[dt.time, dt.time]]:
        step = dt.timedelta(minutes=self.minutes)
        out = []
        for start, end in self.periods:
            at = dt.datetime.combine(dt.date.min, start)
            stop = dt.datetime.combine(dt.date.min, end)
            while at + step <= stop:
                out.append((at.time(), (at + step).time()))
                at += step
        return out


DEFAULT_TEMPLATE = SlotTemplate()


def _ensure_workday(day: dt.date) -> None:
    # An uncovered year raises CalendarNotCovered: a holiday is never guessed.
    if not is_workday(day):
        raise error("slot_not_workday", "date", date=day.isoformat())


@transaction.atomic
def create_slot(
    *,
    actor: Actor,
    category: WindowCategory,
    date: dt.date,
    start: dt.time,
    end: dt.time,
    capacity: int,
) -> AppointmentSlot:
    ensure_hall_in_scope(category.hall)
    if end <= start or capacity < 1:
        raise error("bad_slot_range")
    _ensure_workday(date)
    return AppointmentSlot.objects.create(
        hall_id=category.hall_id,
        category=category,
        date=date,
        start=start,
        end=end,
        capacity=capacity,
    )


@transaction.atomic
def generate_slots(
    *,
    actor: Actor,
    category: WindowCategory,
    start_date: dt.date,
    end_date: dt.date,
    template: SlotTemplate = DEFAULT_TEMPLATE,
) -> int:
    """Slots for every working day in [start_date, end_date]; existing slots are kept, so
    running it again (or over an overlapping range) adds only what is missing."""
    ensure_hall_in_scope(category.hall)
    if (end_date - start_date).days >= MAX_RANGE_DAYS:
        raise error("range_too_long", days=MAX_RANGE_DAYS)
    existing = set(
        AppointmentSlot.objects.filter(
            category=category, date__range=(start_date, end_date)
        ).values_list("date", "start")
    )
    new = []
    day = start_date
    while day <= end_date:
        if is_workday(day):
            new += [
                AppointmentSlot(
                    hall_id=category.hall_id,
                    category=category,
                    date=day,
                    start=start,
                    end=end,
                    capacity=template.capacity,
                )
                for start, end in template.times()
                if (day, start) not in existing
            ]
        day += dt.timedelta(days=1)
    AppointmentSlot.objects.bulk_create(new, batch_size=500)
    if new:
        audit.record(
            actor,
            AuditAction.CREATE,
            object_type="appointment_slots",
            object_id=category.pk,
            object_label=f"{category.hall.name} {category}",
            changes={"from": start_date, "to": end_date, "created": len(new)},
        )
    return len(new)


def _reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def _check_slot_bookable(slot: AppointmentSlot) -> None:
    _ensure_workday(slot.date)
    if clock.now() >= clock.at(slot.date, slot.start):
        raise error("slot_past", "slot")
    category = slot.category
    if not category.accepting or not category.hall.is_active:
        raise error("category_closed", category=str(category))


def book_appointment(
    *,
    actor: Actor,
    slot: AppointmentSlot,
    id_number: str,
    name: str,
    phone: str,
    item_code: str = "",
) -> Appointment:
    """Book a place in a slot for a resident (by phone, at a window, or online)."""
    try:
        number = parse_citizen_id(id_number).number
    except ValidationError as e:
        raise ValidationError({"id_number": e}) from None
    name = (name or "").strip()
    if not name:
        raise error("name_required", "name")
    try:
        phone = normalize_mobile(phone)
    except ValidationError as e:
        raise ValidationError({"phone": e}) from None
    item_code = (item_code or "").strip()
    if item_code and not ServiceItem.objects.filter(code=item_code, is_current=True).exists():
        raise error("unknown_item", "item_code", code=item_code)
    ensure_hall_in_scope(slot.hall)
    _check_slot_bookable(slot)
    digest, masked = hash_of(number), mask_id_number(number)
    with transaction.atomic():
        # Across scopes on purpose: one booking a day, wherever it was made.
        taken = Appointment.unscoped.filter(
            id_hash=digest, date=slot.date, status__in=ACTIVE_APPOINTMENT
        )
        if taken.exists():
            raise error("already_booked", date=slot.date.isoformat())
        raised = AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if not raised:
            raise error("slot_full", "slot")
        person = Person.unscoped.filter(id_hash=digest).first()
        ensure_not_deceased(person)
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    reference=_reference(),
                    slot=slot,
                    hall=slot.hall,
                    area_code=slot.hall.area_code,
                    date=slot.date,
                    person=person,
                    id_hash=digest,
                    id_masked=masked,
                    name=name,
                    phone=phone,
                    item_code=item_code,
                    created_by_id=actor.user_id,
                )
        except IntegrityError:
            # A concurrent booking for the same person and day won; the outer transaction
            # rolls back our place in the slot with this error.
            raise error("already_booked", date=slot.date.isoformat()) from None
        audit.record(
            actor,
            AuditAction.CREATE,
            object_type="appointment",
            object_id=appointment.pk,
            object_label=f"{appointment.reference} {name} {masked}",
            changes={"slot": slot.pk, "date": slot.date, "person": person.pk if person else None},
        )
        _notify(appointment, "booked")
    return appointment


def _notify(appointment: Appointment, event: str) -> None:
    slot = appointment.slot
    when = f"{slot.date:%m月%d日} {slot.start:%H:%M}-{slot.end:%H:%M}"
    where = f"{slot.hall.name}“{slot.category.name}”"
    if event == "booked":
        body = (
            f"【便民服务】您已预约{when}到{where}办理，预约号{appointment.reference}。"
            "请在预约时段内携带身份证到大厅自助机签到取号，预约号优先叫号。"
        )
    elif appointment.cancel_reason:
        # Cancelled by the system (a life event): the phone may now be in the family's hands.
        body = (
            f"【便民服务】{appointment.name}{when}在{where}的预约（{appointment.reference}）"
            f"已取消，原因：{appointment.cancel_reason}。"
        )
    else:
        body = f"【便民服务】您{when}在{where}的预约（{appointment.reference}）已取消。"
    queue_message(
        dedupe_key=f"appointment:{appointment.reference}:{event}",
        body=body,
        recipient_person=appointment.person,
        recipient_address=appointment.phone,
        related_type="appointment",
        related_id=appointment.pk,
    )


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.unscoped.select_for_update()
        .select_related("slot__category__hall", "hall")
        .get(pk=appointment.pk)
    )


def _require_booked(appointment: Appointment, action: str) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise error(
            "invalid_transition",
            number=appointment.reference,
            status=appointment.get_status_display(),
            action=action,
        )


@transaction.atomic
def cancel_appointment(*, actor: Actor, appointment: Appointment, reason: str = "") -> Appointment:
    """取消: the place goes back to the slot and the booker is told. `reason` is the system's
    (a life event); a resident or clerk cancelling gives none."""
    appointment = _locked(appointment)
    ensure_hall_in_scope(appointment.hall)
    _require_booked(appointment, "取消")
    appointment.status, appointment.cancelled_at = AppointmentStatus.CANCELLED, clock.now()
    appointment.cancel_reason = (reason or "").strip()[:100]
    appointment.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    AppointmentSlot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(
        booked=F("booked") - 1
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="appointment",
        object_id=appointment.pk,
        object_label=f"{appointment.reference} {appointment.name} {appointment.id_masked}",
        changes={"status": AppointmentStatus.CANCELLED, "reason": appointment.cancel_reason},
    )
    _notify(appointment, "cancelled")
    return appointment


def _check_in(actor: Actor, appointment: Appointment) -> Ticket:
    _require_booked(appointment, "签到")
    slot = appointment.slot
    if slot.date != clock.today():
        raise error("appointment_not_today", date=slot.date.isoformat())
    now = clock.now()
    appointment.status, appointment.checked_in_at = AppointmentStatus.CHECKED_IN, now
    appointment.save(update_fields=["status", "checked_in_at"])
    # Late (after the slot ended): served, but as a walk-in; others kept their slot.
    on_time = now <= clock.at(slot.date, slot.end)
    ticket = issue_ticket(
        category=slot.category,
        source=TicketSource.APPOINTMENT,
        person=appointment.person,
        applicant_hash=appointment.id_hash,
        applicant_masked=appointment.id_masked,
        appointment=appointment,
        priority_at=clock.at(slot.date, slot.start) if on_time else None,
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="appointment",
        object_id=appointment.pk,
        object_label=f"{appointment.reference} {appointment.name} {appointment.id_masked}",
        changes={"status": AppointmentStatus.CHECKED_IN, "ticket": ticket.number},
    )
    return ticket


@transaction.atomic
def check_in(*, actor: Actor, appointment: Appointment) -> Ticket:
    """签到 by a clerk or the hall's guide: the appointment becomes a priority ticket."""
    appointment = _locked(appointment)
    ensure_hall_in_scope(appointment.hall)
    return _check_in(actor, appointment)


@transaction.atomic
def check_in_by_id(*, actor: Actor, hall: Hall, id_number: str) -> Ticket:
    """签到 at the hall's kiosk with the ID card: today's booking in this hall, if any."""
    digest = hash_of(id_number)
    found = (
        Appointment.unscoped.filter(
            hall=hall, id_hash=digest, date=clock.today(), status=AppointmentStatus.BOOKED
        )
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise error("no_appointment", "id_number")
    return _check_in(actor, _locked(Appointment(pk=found)))


@transaction.atomic
def expire_appointments(*, day: dt.date) -> int:
    """End-of-day sweep: bookings of `day` (or before) never checked in become 爽约."""
    return Appointment.unscoped.filter(date__lte=day, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.NO_SHOW
    )
