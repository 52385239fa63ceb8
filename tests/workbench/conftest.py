"""Workbench fixtures: signed-in clients for staff at different places, and a few residents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests import factories
from tests.conftest import BAOCHENG, WANNIAN
from tests.webclient import signed_in


@pytest.fixture
def clerk(db):
    """A window clerk of the 大智街道 service centre (江岸区): sees 保成社区 and 泰宁社区."""
    return factories.staff("dazhi_clerk", role="clerk", division="420102002000")


@pytest.fixture
def clerk_client(clerk) -> Client:
    return signed_in(clerk)


@pytest.fixture
def admin_client(city_admin) -> Client:
    return signed_in(city_admin)


@pytest.fixture
def residents(db):
    """Three people in 保成社区 (in the clerk's street) and one in 万年社区 (江汉区, outside)."""
    grid = factories.grid(BAOCHENG, 1)
    return {
        "zhang": factories.person(
            community=BAOCHENG,
            name="张伟",
            grid=grid.code,
            birth=dt.date(1940, 3, 2),
            phone="13812345678",
        ),
        "li": factories.person(
            community=BAOCHENG,
            name="李秀英",
            male=False,
            birth=dt.date(1990, 7, 1),
            phone="13900001111",
        ),
        "wang": factories.person(
            community=BAOCHENG,
            name="王芳",
            male=False,
            birth=dt.date(2020, 1, 9),
            phone="13700002222",
        ),
        "outsider": factories.person(community=WANNIAN, name="张敏", phone="13600003333"),
    }
