"""Ratings fixtures: the 大智街道 365 centre, the 保成社区 village centre, a district office
(not a rated centre), and a city supervisor."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core.audit import Actor
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN


@pytest.fixture
def actor() -> Actor:
    return Actor(name="pytest-supervisor")


@pytest.fixture
def street_centre(db):
    return factories.org_unit(DAZHI_STREET)


@pytest.fixture
def village_centre(db):
    return factories.org_unit(BAOCHENG)


@pytest.fixture
def district_centre(db):
    """A district 政务服务中心: a centre, but not one the monthly stars rate."""
    return factories.org_unit(JIANGAN)


@pytest.fixture
def supervisor(db):
    return factories.staff("city_supervisor", role="supervisor", division="420100")


FULL = {"dedication": 20, "conduct": 20, "service": 20, "integrity": 20, "satisfaction": 20}


@pytest.fixture
def clock(monkeypatch):
    from tests.cases.conftest import Clock

    c = Clock(monkeypatch)
    c.set(dt.date(2026, 11, 20))
    return c
