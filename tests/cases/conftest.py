"""Case fixtures: a street centre in 江岸区大智街道 and one in 江汉区民族街街道, a village agent
in 保成社区, district reviewers of 民政 and 残联, a city supervisor, and residents."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bianmin.cases.services.precheck import Applicant
from bianmin.core.audit import Actor
from bianmin.registry.access import actor_for
from tests import factories
from tests.cases import builders
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN, WANNIAN

MINZU_STREET = "420103001000"  # 江汉区民族街街道
SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """Sets "now" for services (timezone.now / localdate) to a given day, 10:00 Shanghai."""

    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self.today: dt.date | None = None

    def set(self, day: dt.date, hour: int = 10) -> None:
        moment = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
        self.today = day
        self._monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture(autouse=True)
def _sharing(sharing_arranged):
    """Intake fetches shared materials before it decides: the city's grants are in place."""


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(monkeypatch)
    c.set(dt.date(2026, 9, 29))  # a Tuesday, just before National Day
    return c


def as_actor(user) -> Actor:
    return actor_for(user)


@pytest.fixture
def dazhi_clerk(db):
    return factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)


@pytest.fixture
def minzu_clerk(db):
    return factories.staff("minzu_clerk", role="clerk", division=MINZU_STREET)


@pytest.fixture
def baocheng_agent(db):
    return factories.staff("baocheng_agent", role="agent", division=BAOCHENG)


@pytest.fixture
def mz_reviewer(db):
    return factories.staff("mz_reviewer", role="reviewer", division=JIANGAN, department="MZ")


@pytest.fixture
def mz_backup(db, mz_reviewer):
    user = factories.staff("mz_backup", role="reviewer", division=JIANGAN, department="MZ")
    mz_reviewer.staff.backup = user.staff
    mz_reviewer.staff.save(update_fields=["backup"])
    return user


@pytest.fixture
def cl_reviewer(db):
    return factories.staff("cl_reviewer", role="reviewer", division=JIANGAN, department="CL")


@pytest.fixture
def rs_reviewer(db):
    return factories.staff("rs_reviewer", role="reviewer", division=JIANGAN, department="RS")


@pytest.fixture
def supervisor(db):
    return factories.staff("city_supervisor", role="supervisor", division="420100")


@pytest.fixture
def resident(db):
    """王秀英, 82, of 保成社区 (大智街道)."""
    number = factories.id_number(birth=dt.date(1944, 3, 8), male=False)
    person = factories.person(
        community=BAOCHENG, name="王秀英", birth=dt.date(1944, 3, 8), male=False, id_number=number
    )
    person.id_number_for_test = number
    return person


@pytest.fixture
def jianghan_resident(db):
    number = factories.id_number(region="420103", birth=dt.date(1940, 1, 2))
    person = factories.person(
        community=WANNIAN, name="李建国", birth=dt.date(1940, 1, 2), id_number=number
    )
    person.id_number_for_test = number
    return person


@pytest.fixture
def applicant(resident) -> Applicant:
    return Applicant(person=resident)


@pytest.fixture
def elderly_item(db):
    return builders.item("MZ-GLJT-001")


@pytest.fixture
def disability_item(db):
    """残疾人两项补贴: 残联 and 民政 review side by side, 民政 decides."""
    return builders.item(
        "MZ-CJBT-001",
        name="困难残疾人生活补贴和重度残疾人护理补贴",
        promised=15,
        reviews=(("CL", 1), ("MZ", 1)),
        decide_by="MZ",
    )
