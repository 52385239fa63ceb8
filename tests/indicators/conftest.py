"""Small known datasets for the indicators: people in two communities of 大智街道 and one of
民族街街道, cases accepted at those communities' centres."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.registry.models import Person
from tests import factories
from tests.conftest import BAOCHENG, TAINING, WANNIAN

PERIOD = "2026-10"
END = dt.date(2026, 10, 31)


def set_person(person: Person, **fields) -> Person:
    """Adjust fields the services set from dates we cannot choose (建档时间 is now)."""
    Person.unscoped.filter(pk=person.pk).update(**fields)
    person.refresh_from_db()
    return person


@pytest.fixture
def people(db):
    """Baocheng: 3 people (one 70, one 62, one 30), one in grid 01; Taining: 2 (one 66, one
    who died on 2026-10-10); Wannian: 1 (aged 81)."""
    grid = factories.grid(BAOCHENG, 1)
    made = {
        "b70": factories.person(community=BAOCHENG, name="李一", birth=dt.date(1956, 3, 1)),
        "b62": factories.person(community=BAOCHENG, name="李二", birth=dt.date(1964, 10, 31)),
        "b30": factories.person(community=BAOCHENG, name="李三", birth=dt.date(1996, 1, 1)),
        "t66": factories.person(community=TAINING, name="王一", birth=dt.date(1960, 5, 5)),
        "t_dead": factories.person(community=TAINING, name="王二", birth=dt.date(1950, 5, 5)),
        "w81": factories.person(community=WANNIAN, name="赵一", birth=dt.date(1945, 1, 1)),
    }
    registered = timezone.make_aware(dt.datetime(2026, 9, 1, 9, 0))
    Person.unscoped.filter(pk__in=[p.pk for p in made.values()]).update(created_at=registered)
    set_person(made["b70"], area_code=grid.code, grid=grid)
    set_person(made["t_dead"], life_status="deceased", status_date=dt.date(2026, 10, 10))
    return made
