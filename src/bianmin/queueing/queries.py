"""Read models of the queue: waiting-time figures, the hall's live queue, the display board and
the window panel. Each is a fixed, small number of grouped queries, whatever the number of
categories, windows or tickets."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from bianmin.queueing import clock
from bianmin.queueing.aggregates import Percentile
from bianmin.queueing.models import (
    ACTIVE_STATUSES,
    Hall,
    Ticket,
    TicketSource,
    TicketStatus,
    Window,
    WindowCategory,
)
from bianmin.queueing.services.tickets import queue_order

WAIT = ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField())
SERVICE = ExpressionWrapper(F("done_at") - F("called_at"), output_field=DurationField())


@dataclass(frozen=True)
class CategoryDay:
    """One category's figures for one day."""

    day: dt.date
    category: WindowCategory
    issued: int = 0  # numbers taken that day (transfers in are counted separately)
    transferred_in: int = 0
    served: int = 0
    no_shows: int = 0
    waiting: int = 0  # still waiting (today: the queue now; a past day: never called)
    avg_wait: dt.timedelta | None = None  # called_at − issued_at, over called tickets
    p90_wait: dt.timedelta | None = None
    avg_service: dt.timedelta | None = None  # done_at − called_at, over finished tickets


def _grouped(tickets) -> list[dict]:
    return list(
        tickets.values("day", "category_id")
        .annotate(
            issued=Count("pk", filter=~Q(source=TicketSource.TRANSFER)),
            transferred_in=Count("pk", filter=Q(source=TicketSource.TRANSFER)),
            served=Count("pk", filter=Q(status=TicketStatus.DONE)),
            no_shows=Count("pk", filter=Q(status=TicketStatus.NO_SHOW)),
            waiting=Count("pk", filter=Q(status=TicketStatus.WAITING)),
            avg_wait=Avg(WAIT),
            p90_wait=Percentile(WAIT, 0.9, output_field=DurationField()),
            avg_service=Avg(SERVICE, filter=Q(status=TicketStatus.DONE)),
        )
        .order_by("day", "category_id")
    )


def hall_stats(*, hall: Hall, start: dt.date, end: dt.date) -> list[CategoryDay]:
    """Per day and category, for the days in [start, end] that had tickets: two queries."""
    categories = {c.pk: c for c in WindowCategory.objects.filter(hall=hall)}
    rows = _grouped(Ticket.objects.filter(hall=hall, day__range=(start, end)))
    return [
        CategoryDay(category=categories[row.pop("category_id")], **row)
        for row in rows
        if row["category_id"] in categories
    ]


@dataclass(frozen=True)
class LiveCategory:
    today: CategoryDay
    open_windows: int
    # Minutes a ticket taken now would wait; None while no open window serves the category.
    estimated_wait_minutes: int | None

    @property
    def category(self) -> WindowCategory:
        return self.today.category


def estimate_wait_minutes(
    *, waiting: int, open_windows: int, avg_service: dt.timedelta | None, default_minutes: int
) -> int | None:
    """Ahead of a new ticket are `waiting` people, served by `open_windows` windows in turn,
    each taking today's average service time (the category's default before the first one)."""
    if open_windows < 1:
        return None
    per_ticket = avg_service.total_seconds() / 60 if avg_service else default_minutes
    return math.ceil(waiting * per_ticket / open_windows)


def hall_live(*, hall: Hall) -> list[LiveCategory]:
    """Every category of the hall with today's figures, queue length and estimated wait:
    three queries (categories, today's tickets grouped, open windows grouped)."""
    today = clock.today()
    categories = list(WindowCategory.objects.filter(hall=hall).order_by("code"))
    by_category = {
        row["category_id"]: row for row in _grouped(Ticket.unscoped.filter(hall=hall, day=today))
    }
    open_counts = dict(
        Window.categories.through.objects.filter(window__hall=hall, window__is_open=True)
        .values("windowcategory_id")
        .annotate(n=Count("window_id"))
        .values_list("windowcategory_id", "n")
    )
    live = []
    for category in categories:
        row = dict(by_category.get(category.pk, {"day": today}))
        row.pop("category_id", None)
        figures = CategoryDay(category=category, **row)
        windows = open_counts.get(category.pk, 0)
        live.append(
            LiveCategory(
                today=figures,
                open_windows=windows,
                estimated_wait_minutes=estimate_wait_minutes(
                    waiting=figures.waiting,
                    open_windows=windows,
                    avg_service=figures.avg_service,
                    default_minutes=category.default_service_minutes,
                ),
            )
        )
    return live


# --- the display board (public: numbers and window numbers only) -----------------------------


@dataclass(frozen=True)
class BoardCall:
    ticket_id: int
    number: str
    window_number: int | None
    status: str
    called_at: dt.datetime
    call_count: int


def recent_calls(*, hall: Hall, limit: int = 8) -> list[BoardCall]:
    """The latest calls of the day, newest first. Unscoped on purpose: the board is public and
    this reads no personal data, only numbers."""
    rows = (
        Ticket.unscoped.filter(hall=hall, day=clock.today(), last_called_at__isnull=False)
        .filter(status__in=(*ACTIVE_STATUSES, TicketStatus.DONE))
        .order_by("-last_called_at", "-pk")
        .values_list("pk", "number", "window__number", "status", "last_called_at", "call_count")[
            :limit
        ]
    )
    return [BoardCall(*row) for row in rows]


# --- the window panel -----------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    window: Window
    current: Ticket | None
    last_done: Ticket | None  # the window's last finished ticket today (to note a case number)
    waiting: list[Ticket]  # the next few, in calling order
    waiting_total: int
    served_today: int
    categories: list[WindowCategory]
    other_categories: list[WindowCategory]  # where a ticket can be transferred to


def current_ticket(window: Window) -> Ticket | None:
    """The ticket at the window (called or being served); at most one by the services."""
    return (
        Ticket.unscoped.select_related("category", "appointment", "case")
        .filter(window=window, status__in=ACTIVE_STATUSES)
        .first()
    )


def last_done_ticket(window: Window) -> Ticket | None:
    return (
        Ticket.unscoped.select_related("case")
        .filter(window=window, day=clock.today(), status=TicketStatus.DONE)
        .order_by("-done_at", "-pk")
        .first()
    )


def window_panel(*, window: Window, show_next: int = 8) -> Panel:
    today = clock.today()
    categories = list(window.categories.order_by("code"))
    ids = [c.pk for c in categories]
    current = current_ticket(window)
    waiting = Ticket.unscoped.filter(
        category_id__in=ids, day=today, status=TicketStatus.WAITING
    ).select_related("category")
    counts = Ticket.unscoped.filter(hall_id=window.hall_id, day=today).aggregate(
        waiting=Count("pk", filter=Q(category_id__in=ids, status=TicketStatus.WAITING)),
        served=Count("pk", filter=Q(window=window, status=TicketStatus.DONE)),
    )
    others = list(
        WindowCategory.objects.filter(hall_id=window.hall_id, accepting=True)
        .exclude(pk=current.category_id if current else None)
        .order_by("code")
    )
    return Panel(
        window=window,
        current=current,
        last_done=None if current else last_done_ticket(window),
        waiting=list(waiting.order_by(*queue_order(clock.now()))[:show_next]),
        waiting_total=counts["waiting"],
        served_today=counts["served"],
        categories=categories,
        other_categories=others,
    )
