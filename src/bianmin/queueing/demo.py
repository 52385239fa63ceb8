"""Demo halls for `bianmin seed`: the city centre (武汉市政务服务中心) and the 大智街道 365 centre,
with their window categories and windows, appointment slots for the next ten working days, and
one served morning (the last working day before today) so the figures show real numbers.

Halls, categories, windows and slots go through the services. The served morning is written
directly: it is history, with times in the past that no service would produce."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.core.workdays import CalendarNotCovered, is_workday
from bianmin.queueing import services
from bianmin.queueing.models import (
    Hall,
    Ticket,
    TicketCounter,
    TicketSource,
    TicketStatus,
    Window,
    WindowCategory,
)
from bianmin.queueing.services.tickets import ticket_number
from bianmin.registry.models import OrgUnit

LOADER = Actor(name="bianmin seed")
SLOT_DAYS = 10


@dataclass(frozen=True)
class HallSpec:
    org_unit: str
    name: str
    categories: tuple[tuple[str, str, tuple[str, ...], int], ...]  # code, name, depts, arrivals
    windows: tuple[tuple[int, str, str], ...]  # number, label, categories served
    clerks: tuple[str, ...]  # demo accounts who open the first windows
    appointments: str  # categories that take appointments


HALLS = (
    HallSpec(
        org_unit="ZWZX-420100",
        name="市民之家一楼综合办事大厅",
        categories=(
            ("A", "社会保障", ("RS", "YB"), 34),
            ("B", "民政救助", ("MZ", "CL"), 14),
            ("C", "市场准入", ("SCJG",), 26),
            ("D", "综合受理", ("GA", "WJ", "ZW"), 30),
        ),
        windows=(
            (1, "社保医保", "A"),
            (2, "社保医保", "A"),
            (3, "民政残联", "B"),
            (4, "企业开办", "C"),
            (5, "企业开办", "C"),
            (6, "综合受理", "DA"),
            (7, "综合受理", "DB"),
            (8, "综合受理", "DC"),
        ),
        clerks=("chuangkou", "chuangkou_b"),
        appointments="ACD",
    ),
    HallSpec(
        org_unit="BMZX-420102002000",
        name="便民服务大厅",
        categories=(
            ("A", "社会保障", ("RS", "YB"), 16),
            ("B", "民政救助", ("MZ", "CL"), 10),
            ("C", "市场准入", ("SCJG",), 5),
            ("D", "综合受理", ("GA", "WJ", "ZW"), 12),
        ),
        windows=(
            (1, "社会事务", "AD"),
            (2, "民政残联", "BD"),
            (3, "综合受理", "CDA"),
        ),
        clerks=("ck_dazhi", "ck_dazhi_b"),
        appointments="ABCD",
    ),
)


def _working_days_after(day: dt.date, count: int) -> list[dt.date]:
    """Up to `count` working days after `day`; stops at a year the calendar does not cover."""
    found: list[dt.date] = []
    while len(found) < count:
        day += dt.timedelta(days=1)
        try:
            if is_workday(day):
                found.append(day)
        except CalendarNotCovered:
            break
    return found


def _last_working_day_before(day: dt.date) -> dt.date:
    while True:
        day -= dt.timedelta(days=1)
        try:
            if is_workday(day):
                return day
        except CalendarNotCovered:
            if day.weekday() < 5:  # only history: Monday–Friday is good enough
                return day


def _served_morning(
    hall: Hall,
    categories: dict[str, WindowCategory],
    windows: list[Window],
    spec: HallSpec,
    day: dt.date,
    rng: random.Random,
) -> int:
    """A morning's queue, 9:00–11:30, served first-come first-served by the windows."""
    open_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    arrivals = sorted(
        (open_at + dt.timedelta(seconds=rng.randrange(0, 150 * 60)), code)
        for code, _name, _depts, count in spec.categories
        for _ in range(count)
    )
    serving = {w.pk: {c.code for c in w.categories.all()} for w in windows}
    free_at = {w.pk: open_at for w in windows}
    numbers = {code: 0 for code in categories}
    tickets = []
    for issued_at, code in arrivals:
        numbers[code] += 1
        window_id = min((w for w in serving if code in serving[w]), key=lambda w: free_at[w])
        called_at = max(issued_at + dt.timedelta(seconds=20), free_at[window_id])
        no_show = rng.random() < 0.04
        minutes = 2 if no_show else rng.choice((3, 4, 5, 6, 6, 8, 8, 10, 12, 15))
        done_at = called_at + dt.timedelta(minutes=minutes, seconds=rng.randrange(60))
        free_at[window_id] = done_at
        tickets.append(
            Ticket(
                hall=hall,
                category=categories[code],
                area_code=hall.area_code,
                day=day,
                seq=numbers[code],
                number=ticket_number(code, numbers[code]),
                source=TicketSource.KIOSK,
                status=TicketStatus.NO_SHOW if no_show else TicketStatus.DONE,
                issued_at=issued_at,
                queue_at=issued_at,
                called_at=called_at,
                last_called_at=called_at + dt.timedelta(minutes=1 if no_show else 0),
                call_count=hall.no_show_after if no_show else 1,
                serving_at=None if no_show else called_at,
                done_at=done_at,
                window_id=window_id,
            )
        )
    Ticket.unscoped.bulk_create(tickets, batch_size=500)
    TicketCounter.objects.bulk_create(
        [TicketCounter(category=categories[c], day=day, last=n) for c, n in numbers.items() if n]
    )
    return len(tickets)


def _build_hall(spec: HallSpec, today: dt.date, rng: random.Random) -> dict[str, int]:
    unit = OrgUnit.objects.select_related("division").get(code=spec.org_unit)
    hall = services.create_hall(actor=LOADER, org_unit=unit, name=spec.name)
    categories = {
        code: services.create_category(
            actor=LOADER, hall=hall, code=code, name=name, department_codes=depts
        )
        for code, name, depts, _count in spec.categories
    }
    windows = [
        services.create_window(
            actor=LOADER,
            hall=hall,
            number=number,
            label=label,
            categories=[categories[c] for c in served],
        )
        for number, label, served in spec.windows
    ]
    # Every window open, the first ones under the demo clerks' names, so the board, the kiosk
    # and the estimates look like a working day.
    users = get_user_model().objects.in_bulk(list(spec.clerks), field_name="username")
    clerks = [Actor(users[u].pk, u) for u in spec.clerks if u in users]
    for index, window in enumerate(windows):
        actor = clerks[index] if index < len(clerks) else LOADER
        services.open_window(actor=actor, window=window)
    days = _working_days_after(today, SLOT_DAYS)
    slots = 0
    if days:
        for code in spec.appointments:
            slots += services.generate_slots(
                actor=LOADER, category=categories[code], start_date=days[0], end_date=days[-1]
            )
    served = _served_morning(hall, categories, windows, spec, _last_working_day_before(today), rng)
    return {"slots": slots, "tickets": served, "windows": len(windows)}


def load_demo_queueing(
    *, today: dt.date | None = None, seed: int = 42, log: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Create the demo halls once; a second run (or a city without these centres) does nothing."""
    totals = {"halls": 0, "windows": 0, "slots": 0, "tickets": 0}
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:queueing")
    present = set(
        OrgUnit.objects.filter(code__in=[s.org_unit for s in HALLS]).values_list("code", flat=True)
    )
    taken = set(Hall.objects.values_list("org_unit_id", flat=True))
    with transaction.atomic():
        for spec in HALLS:
            if spec.org_unit not in present or spec.org_unit in taken:
                continue
            built = _build_hall(spec, today, rng)
            totals["halls"] += 1
            for key in ("windows", "slots", "tickets"):
                totals[key] += built[key]
    if log is not None:
        log(
            f"排队叫号 queueing: {totals['halls']} 个办事大厅，{totals['windows']} 个窗口，"
            f"{totals['slots']} 个预约时段，{totals['tickets']} 张已办结的号"
        )
    return totals
