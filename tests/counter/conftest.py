"""Counter fixtures: the demo catalogue, staff of two street centres, a village agent, 民政
reviewers of 江岸区 (A岗 and B岗), a city supervisor, residents, and signed-in clients.

Cases are made through the intake service, as the pages make them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from bianmin.cases.services import intake
from bianmin.cases.services.precheck import Applicant
from bianmin.catalog.demo import load_demo_catalog
from bianmin.core.audit import Actor
from bianmin.core.scope import acting_in
from bianmin.registry.access import actor_for, scope_for
from bianmin.registry.services.people import add_member, create_household
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN, WANNIAN
from tests.webclient import signed_in

MINZU_STREET = "420103001000"  # 江汉区民族街街道
TEMP_AID = "MZ-003"  # 临时救助申请: town level, one 民政 review, 容缺 allowed
ELDERLY = "MZ-004"  # 高龄津贴申领: 80 and over
# MZ-003's materials: the application (essential) and proof of hardship (not essential);
# the ID card and 户口簿 come from shared data.
APPLICATION, HARDSHIP = "application", "hardship"


@pytest.fixture(autouse=True)
def _sharing(sharing_arranged):
    """Intake fetches shared materials before it decides: the city's grants are in place."""


@pytest.fixture
def catalog(db):
    load_demo_catalog()


@pytest.fixture
def clerk(db):
    return factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)


@pytest.fixture
def minzu_clerk(db):
    return factories.staff("minzu_clerk", role="clerk", division=MINZU_STREET)


@pytest.fixture
def agent(db):
    return factories.staff("baocheng_agent", role="agent", division=BAOCHENG)


@pytest.fixture
def reviewer(db):
    return factories.staff("mz_reviewer", role="reviewer", division=JIANGAN, department="MZ")


@pytest.fixture
def backup(db, reviewer):
    user = factories.staff("mz_backup", role="reviewer", division=JIANGAN, department="MZ")
    reviewer.staff.backup = user.staff
    reviewer.staff.save(update_fields=["backup"])
    return user


@pytest.fixture
def supervisor(db):
    return factories.staff("city_supervisor", role="supervisor", division="420100")


@pytest.fixture
def clerk_client(clerk) -> Client:
    return signed_in(clerk)


@pytest.fixture
def resident(db):
    """王秀英, 82, of 保成社区 (大智街道)."""
    number = factories.id_number(birth=dt.date(1944, 3, 8), male=False)
    person = factories.person(
        community=BAOCHENG,
        name="王秀英",
        birth=dt.date(1944, 3, 8),
        male=False,
        id_number=number,
        residence_address="保成路18号",
    )
    return registered(person, number, "420102002003018", BAOCHENG)


def registered(person, number: str, household_no: str, community: str):
    """The person as head (户主) of a household: the 户籍 data 民政 reads through sharing has
    them."""
    actor = Actor(name="pytest")
    household = create_household(actor=actor, number=household_no, division=community)
    add_member(actor=actor, household=household, person=person, relationship="02")
    person.refresh_from_db()
    person.id_number_for_test = number
    return person


@pytest.fixture
def jianghan_resident(db):
    number = factories.id_number(region="420103", birth=dt.date(1960, 1, 2))
    person = factories.person(
        community=WANNIAN, name="李建国", birth=dt.date(1960, 1, 2), id_number=number
    )
    return registered(person, number, "420103001002007", WANNIAN)


def take_in(user, person, code: str = TEMP_AID, materials=(APPLICATION, HARDSHIP), **extra):
    """A case taken in at `user`'s window, as the intake page does it."""
    with acting_in(scope_for(user)):
        return intake.take_in(
            actor=actor_for(user),
            item=intake.resolve_item(code),
            applicant=Applicant(person=person),
            provided=list(materials),
            channel=extra.pop("channel", "window"),
            **extra,
        ).case
