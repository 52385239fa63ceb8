"""Hygiene fixtures: a hotel in 保成社区 run by an organisation of the 法人库, and helpers that
score its sheet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bianmin.core.audit import Actor
from bianmin.core.identifiers import make_credit_code
from bianmin.hygiene import services
from bianmin.hygiene.models import SheetItem
from bianmin.registry.models import Division, Organisation
from tests.conftest import BAOCHENG


@pytest.fixture
def actor() -> Actor:
    return Actor(name="pytest-inspector")


@pytest.fixture
def organisation(db):
    division = Division.objects.get(code=BAOCHENG)
    return Organisation.unscoped.create(
        credit_code=make_credit_code("91", "420102", "MA4K3B7X1"),
        name="武汉江岸大智酒店管理有限公司",
        registrar="9",
        org_category="1",
        division=division,
        area_code=division.prefix,
    )


@pytest.fixture
def hotel(actor, organisation):
    return services.register_place(
        actor=actor,
        name="大智宾馆",
        place_type="hotel",
        area_code=BAOCHENG,
        address="武汉市江岸区大智路18号",
        credit_code=organisation.credit_code,
        licence_no="鄂卫公证字〔2025〕第0102001号",
    )


def sheet(place_type: str = "hotel") -> list[SheetItem]:
    return list(SheetItem.objects.filter(sheet__place_type=place_type).order_by("seq"))


def scores_for(place_type: str, target: Decimal) -> dict[str, str]:
    """Points for every item giving exactly `target` as the standardised total: full marks,
    then points taken off (weight 1.0, 0.1 at a time) until the total is `target`."""
    items = sheet(place_type)
    best = sum(i.max_points * i.weight for i in items)
    missing = best * (Decimal(100) - target) / 100  # weighted points to take off
    scores = {str(i.pk): i.max_points for i in items}
    for i in items:
        if missing <= 0:
            break
        if i.weight != 1 or i.key:
            continue
        take = min(i.max_points, missing)
        scores[str(i.pk)] = i.max_points - take
        missing -= take
    return {k: str(v) for k, v in scores.items()}
