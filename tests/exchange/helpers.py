"""Builders shared by the life-event and exchange tests: a family in a household, a case."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from bianmin.core.audit import Actor
from bianmin.registry.models import Household, Person
from bianmin.registry.services.people import create_household
from tests import factories
from tests.conftest import BAOCHENG

ACTOR = Actor(name="pytest")
_numbers = itertools.count(1)


@dataclass
class Family:
    household: Household
    head: Person
    spouse: Person
    child: Person


def family(community: str = BAOCHENG, *, grid: int | None = 1) -> Family:
    g = factories.grid(community, grid) if grid else None
    household = create_household(
        actor=ACTOR,
        number=f"H{next(_numbers):06d}",
        division=community,
        grid=g.code if g else None,
        address="胜利街12号",
    )
    common = {"community": community, "household": household}
    if g:
        common["grid"] = g.code
    head = factories.person(name="刘建华", birth=dt.date(1950, 5, 1), relationship="02", **common)
    spouse = factories.person(
        name="陈桂兰",
        birth=dt.date(1952, 8, 9),
        male=False,
        relationship="10",
        phone="13900001111",
        **common,
    )
    child = factories.person(
        name="刘小明", birth=dt.date(2015, 3, 3), relationship="20", phone="13700002222", **common
    )
    return Family(household, head, spouse, child)


def reload(obj):
    return (
        type(obj).unscoped.get(pk=obj.pk)
        if hasattr(type(obj), "unscoped")
        else (type(obj).objects.get(pk=obj.pk))
    )
