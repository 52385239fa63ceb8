"""Builders for test data. People go through the real services so every invariant holds."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth import get_user_model

from bianmin.core.audit import Actor
from bianmin.core.identifiers import make_citizen_id
from bianmin.registry.models import Department, Division, Grid, OrgUnit, Staff
from bianmin.registry.services.people import create_person

_seq = itertools.count(1)
PASSWORD = "Bianmin-test-2026"


def org_unit(division: str, *, kind: str = "centre", department: str | None = None) -> OrgUnit:
    div = Division.objects.get(code=division)
    code = f"T{division}{department or ''}{kind}"
    unit, _ = OrgUnit.objects.get_or_create(
        code=code,
        defaults={
            "name": f"{div.name}便民服务中心",
            "kind": kind,
            "division": div,
            "department_id": department,
        },
    )
    return unit


def staff(username: str, *, role: str, division: str, department: str | None = None):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    Staff.objects.create(
        user=user,
        org_unit=org_unit(division, department=department),
        department=Department.objects.filter(code=department).first(),
        role=role,
        display_name=username,
    )
    return get_user_model().objects.select_related("staff__org_unit__division").get(pk=user.pk)


def grid(community: str, seq: int = 1) -> Grid:
    g, _ = Grid.unscoped.get_or_create(
        code=f"{community}{seq:02d}",
        defaults={"name": f"第{seq}网格", "community_id": community},
    )
    return g


def id_number(region: str = "420102", birth: dt.date = dt.date(1985, 6, 15), male=True) -> str:
    n = next(_seq) % 500
    return make_citizen_id(region, birth, n * 2 + (1 if male else 0))


def person(
    *,
    community: str,
    name: str = "张伟",
    birth: dt.date = dt.date(1985, 6, 15),
    male: bool = True,
    actor: Actor | None = None,
    **extra,
):
    return create_person(
        actor=actor or Actor(name="factory"),
        id_number=extra.pop("id_number", None) or id_number(birth=birth, male=male),
        name=name,
        phone=extra.pop("phone", "13812345678"),
        residence_division=community,
        **extra,
    )
