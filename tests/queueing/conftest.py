"""Queueing fixtures: the 大智街道 centre's hall with four categories and three windows, built
through the services, and a clock standing still on a known working day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.queueing import clock as queue_clock
from bianmin.queueing import services
from bianmin.queueing.models import Hall, Window, WindowCategory
from tests import factories
from tests.conftest import DAZHI_STREET

# Monday 15 June 2026: an ordinary working day (端午 is Friday the 19th).
MONDAY = dt.date(2026, 6, 15)
NATIONAL_DAY = dt.date(2026, 10, 1)


def local(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


class FakeClock:
    def __init__(self, at: dt.datetime):
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def set(self, at: dt.datetime) -> None:
        self.at = at

    def advance(self, **delta: float) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(local(MONDAY, 8, 30))
    monkeypatch.setattr(queue_clock, "now", fake.now)
    return fake


@dataclass
class HallSetup:
    hall: Hall
    a: WindowCategory  # 社会保障
    b: WindowCategory  # 民政救助
    c: WindowCategory  # 市场准入
    d: WindowCategory  # 综合受理
    w1: Window  # A, D
    w2: Window  # A, B
    w3: Window  # C, D


def build_hall(actor: Actor, division: str = DAZHI_STREET, name: str = "一楼办事大厅"):
    unit = factories.org_unit(division)
    hall = services.create_hall(actor=actor, org_unit=unit, name=name)
    cat = {
        code: services.create_category(
            actor=actor, hall=hall, code=code, name=label, department_codes=depts
        )
        for code, label, depts in (
            ("A", "社会保障", ["RS", "YB"]),
            ("B", "民政救助", ["MZ"]),
            ("C", "市场准入", ["SCJG"]),
            ("D", "综合受理", []),
        )
    }
    windows = [
        services.create_window(actor=actor, hall=hall, number=n, categories=[cat[x] for x in cs])
        for n, cs in ((1, "AD"), (2, "AB"), (3, "CD"))
    ]
    return HallSetup(hall, cat["A"], cat["B"], cat["C"], cat["D"], *windows)


@pytest.fixture
def dazhi(db, system_actor) -> HallSetup:
    return build_hall(system_actor)


@pytest.fixture
def clerk(db):
    """A window clerk of the 大智街道 centre (the hall's own org unit)."""
    return factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)


@pytest.fixture
def clerk_actor(clerk) -> Actor:
    return Actor(clerk.pk, "dazhi_clerk", clerk.staff.org_unit_id)


def open_all(actor: Actor, setup: HallSetup) -> None:
    for window in (setup.w1, setup.w2, setup.w3):
        services.open_window(actor=actor, window=window)


def error_code(error) -> str:
    """The code of a service's ValidationError, whether or not it names a field."""
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.error_list[0].code
