"""A ticket's life: taken (kiosk, window, appointment check-in), called by a window, served,
finished, or marked no-show, or transferred to another category; linked to the case it led to.

waiting → called → serving → done                  waiting → cancelled (the applicant died)
             ↘ no_show (after the hall's N calls)   called/serving → transferred (+ a new ticket)

Concurrency: numbers come from a per-(category, day) counter row incremented by one UPDATE
(its row lock queues concurrent kiosks); `call_next` locks the calling window's row (a double
click cannot take two tickets) and then the oldest waiting ticket with SKIP LOCKED, so two
windows calling at the same moment always get different tickets. On SQLite every write
transaction is serialised (`transaction_mode=IMMEDIATE`), which gives the same guarantees.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When

from bianmin.cases import models as case_models
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.identifiers import parse_citizen_id
from bianmin.core.masking import mask_id_number
from bianmin.core.models import AuditAction
from bianmin.queueing import clock
from bianmin.queueing.models import (
    ACTIVE_STATUSES,
    Appointment,
    Hall,
    Ticket,
    TicketCounter,
    TicketSource,
    TicketStatus,
    Window,
    WindowCategory,
)
from bianmin.queueing.services.common import ensure_hall_in_scope, ensure_not_deceased, error
from bianmin.registry.models import Person
from bianmin.registry.services.people import hash_of


def ticket_number(category_code: str, seq: int) -> str:
    return f"{category_code}{seq:03d}"


def _next_seq(category: WindowCategory, day: dt.date, *, enforce_limit: bool) -> int:
    counter = TicketCounter.objects.filter(category=category, day=day)
    limit = category.daily_limit if enforce_limit else None
    guarded = counter if limit is None else counter.filter(last__lt=limit)
    if limit is not None and limit < 1:
        raise error("category_full", category=str(category))
    if not guarded.update(last=F("last") + 1):
        # No row for the day yet, or the day's limit is reached.
        try:
            with transaction.atomic():
                TicketCounter.objects.create(category=category, day=day, last=1)
            return 1
        except IntegrityError:
            # The row exists: another kiosk created it a moment ago (count after it, once its
            # lock is released), or the limit is reached.
            if not guarded.update(last=F("last") + 1):
                raise error("category_full", category=str(category)) from None
    # The UPDATE holds the row lock until commit, so this reads our own number.
    return counter.values_list("last", flat=True).get()


def issue_ticket(
    *,
    category: WindowCategory,
    source: str,
    person: Person | None = None,
    applicant_hash: str = "",
    applicant_masked: str = "",
    appointment: Appointment | None = None,
    priority_at: dt.datetime | None = None,
    queue_at: dt.datetime | None = None,
    transferred_from: Ticket | None = None,
) -> Ticket:
    """Number and store a ticket. Internal: callers check the category and audit."""
    hall = category.hall
    now = clock.now()
    day = clock.today()
    with transaction.atomic():
        seq = _next_seq(
            category, day, enforce_limit=source in (TicketSource.KIOSK, TicketSource.STAFF)
        )
        return Ticket.objects.create(
            hall=hall,
            category=category,
            area_code=hall.area_code,
            day=day,
            seq=seq,
            number=ticket_number(category.code, seq),
            source=source,
            issued_at=now,
            queue_at=queue_at or now,
            priority_at=priority_at,
            person=person,
            applicant_hash=applicant_hash,
            applicant_masked=applicant_masked,
            appointment=appointment,
            transferred_from=transferred_from,
        )


def _ensure_accepting(category: WindowCategory) -> None:
    if not category.accepting or not category.hall.is_active:
        raise error("category_closed", category=str(category))


def take_ticket(
    *,
    actor: Actor,
    category: WindowCategory,
    id_number: str = "",
    source: str = TicketSource.KIOSK,
) -> Ticket:
    """Take a number in a category (自助取号 or 窗口代取). With an ID number the ticket is
    linked to the applicant (by the registry's keyed hash; the number itself is not kept)."""
    _ensure_accepting(category)
    person, digest, masked = None, "", ""
    if id_number:
        number = parse_citizen_id(id_number).number
        digest, masked = hash_of(number), mask_id_number(number)
        # Deliberately across scopes: an applicant may take a number anywhere in the city.
        person = Person.unscoped.filter(id_hash=digest).first()
        ensure_not_deceased(person)
    with transaction.atomic():
        ticket = issue_ticket(
            category=category,
            source=source,
            person=person,
            applicant_hash=digest,
            applicant_masked=masked,
        )
        if digest:
            audit.record(
                actor,
                AuditAction.CREATE,
                object_type="queue_ticket",
                object_id=ticket.pk,
                object_label=f"{category.hall.name} {ticket.number} {masked}",
                changes={"person": person.pk if person else None, "source": source},
            )
    return ticket


# --- at the window --------------------------------------------------------------------------


def queue_order(now: dt.datetime) -> tuple:
    """Appointment tickets whose slot has begun first (by slot start), then everyone else in
    the order they joined the queue. Shared by call_next and the waiting list of the panel."""
    in_slot = Q(priority_at__lte=now)
    rank = Case(When(in_slot, then=Value(0)), default=Value(1), output_field=IntegerField())
    sort_at = Case(When(in_slot, then=F("priority_at")), default=F("queue_at"))
    return (rank.asc(), sort_at.asc(), F("queue_at").asc(), F("pk").asc())


@transaction.atomic
def call_next(*, actor: Actor, window: Window) -> Ticket:
    """Call the next waiting ticket of the categories this window serves."""
    # Locking the window serialises this window's own clicks only; other windows go on.
    window = Window.objects.select_for_update().get(pk=window.pk)
    hall = Hall.objects.get(pk=window.hall_id)
    ensure_hall_in_scope(hall)
    if not window.is_open:
        raise error("window_closed", window=str(window))
    current = Ticket.unscoped.filter(window=window, status__in=ACTIVE_STATUSES).first()
    if current is not None:
        raise error("window_busy", window=str(window), number=current.number)
    now = clock.now()
    categories = list(window.categories.values_list("pk", flat=True))
    ticket = (
        Ticket.unscoped.select_for_update(skip_locked=True)
        .filter(category_id__in=categories, day=clock.today(), status=TicketStatus.WAITING)
        .order_by(*queue_order(now))
        .first()
    )
    if ticket is None:
        raise error("no_waiting_ticket", window=str(window))
    ticket.status, ticket.window = TicketStatus.CALLED, window
    ticket.called_at = ticket.last_called_at = now
    ticket.call_count, ticket.served_by_id = 1, actor.user_id
    ticket.save(
        update_fields=["status", "window", "called_at", "last_called_at", "call_count", "served_by"]
    )
    return ticket


_ACTIONS = {
    "cancel": "取消",
    "recall": "再次呼叫",
    "start": "开始办理",
    "finish": "办结",
    "no_show": "记为过号",
    "transfer": "转移",
    "link_case": "关联办件",
}


def _locked(ticket: Ticket, action: str, allowed: tuple[str, ...]) -> Ticket:
    locked = Ticket.unscoped.select_for_update().get(pk=ticket.pk)
    ensure_hall_in_scope(Hall.objects.get(pk=locked.hall_id))
    if locked.status not in allowed:
        raise error(
            "invalid_transition",
            number=locked.number,
            status=locked.get_status_display(),
            action=_ACTIONS[action],
        )
    return locked


@transaction.atomic
def recall(*, actor: Actor, ticket: Ticket) -> Ticket:
    """再次呼叫: the board shows the number again."""
    ticket = _locked(ticket, "recall", (TicketStatus.CALLED,))
    ticket.call_count += 1
    ticket.last_called_at = clock.now()
    ticket.save(update_fields=["call_count", "last_called_at"])
    return ticket


@transaction.atomic
def start_serving(*, actor: Actor, ticket: Ticket) -> Ticket:
    ticket = _locked(ticket, "start", (TicketStatus.CALLED,))
    ticket.status, ticket.serving_at, ticket.served_by_id = (
        TicketStatus.SERVING,
        clock.now(),
        actor.user_id,
    )
    ticket.save(update_fields=["status", "serving_at", "served_by"])
    return ticket


@transaction.atomic
def finish(*, actor: Actor, ticket: Ticket) -> Ticket:
    """办结 at the window (straight from called when the matter took a minute)."""
    ticket = _locked(ticket, "finish", ACTIVE_STATUSES)
    now = clock.now()
    ticket.status, ticket.done_at, ticket.served_by_id = TicketStatus.DONE, now, actor.user_id
    ticket.serving_at = ticket.serving_at or ticket.called_at
    ticket.save(update_fields=["status", "done_at", "serving_at", "served_by"])
    return ticket


@transaction.atomic
def mark_no_show(*, actor: Actor, ticket: Ticket) -> Ticket:
    """过号: only once the number has been called the hall's N times."""
    ticket = _locked(ticket, "no_show", (TicketStatus.CALLED,))
    needed = Hall.objects.values_list("no_show_after", flat=True).get(pk=ticket.hall_id)
    if ticket.call_count < needed:
        raise error("not_enough_calls", number=ticket.number, count=ticket.call_count, n=needed)
    ticket.status, ticket.done_at = TicketStatus.NO_SHOW, clock.now()
    ticket.save(update_fields=["status", "done_at"])
    return ticket


@transaction.atomic
def cancel_ticket(*, actor: Actor, ticket: Ticket, reason: str) -> Ticket:
    """取消 a waiting ticket (the system's, on a life event): it leaves the queue and the
    board; a number already called is the window's to finish."""
    ticket = _locked(ticket, "cancel", (TicketStatus.WAITING,))
    ticket.status, ticket.done_at = TicketStatus.CANCELLED, clock.now()
    ticket.cancel_reason = reason.strip()[:100]
    ticket.save(update_fields=["status", "done_at", "cancel_reason"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="queue_ticket",
        object_id=ticket.pk,
        object_label=f"{ticket.number} {ticket.applicant_masked}".strip(),
        changes={"status": TicketStatus.CANCELLED, "reason": ticket.cancel_reason},
    )
    return ticket


@transaction.atomic
def transfer(*, actor: Actor, ticket: Ticket, category: WindowCategory) -> Ticket:
    """Send the applicant to another category of the same hall (the matter belongs to another
    window). They keep their place: the new ticket queues at the first one's time."""
    ticket = _locked(ticket, "transfer", ACTIVE_STATUSES)
    if category.hall_id != ticket.hall_id:
        raise error("wrong_hall", "category")
    if category.pk == ticket.category_id:
        raise error("same_category", "category")
    _ensure_accepting(category)
    ticket.status, ticket.done_at = TicketStatus.TRANSFERRED, clock.now()
    ticket.save(update_fields=["status", "done_at"])
    new = issue_ticket(
        category=category,
        source=TicketSource.TRANSFER,
        person=ticket.person,
        applicant_hash=ticket.applicant_hash,
        applicant_masked=ticket.applicant_masked,
        appointment=None,
        priority_at=ticket.priority_at,
        queue_at=ticket.queue_at,
        transferred_from=ticket,
    )
    return new


@transaction.atomic
def link_case(*, actor: Actor, ticket: Ticket, case_no: str) -> Ticket:
    """The clerk accepted the application this ticket came for: link the case, so a case's
    waiting and handling times can be followed from the queue (一窗受理)."""
    case_no = (case_no or "").strip()
    if not case_no:
        raise error("case_no_required", "case_no")
    ticket = _locked(ticket, "link_case", (*ACTIVE_STATUSES, TicketStatus.DONE))
    # Through the scoped manager: only a case the clerk may see can be linked.
    case = case_models.Case.objects.filter(case_no=case_no).first()
    if case is None:
        raise error("unknown_case", "case_no", case_no=case_no)
    ticket.case = case
    ticket.save(update_fields=["case"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="queue_ticket",
        object_id=ticket.pk,
        object_label=f"{ticket.number} {ticket.applicant_masked}".strip(),
        changes={"case_no": case_no},
    )
    return ticket
