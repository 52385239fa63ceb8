"""The demo loader: places from the 法人库 by trade, graded in several grades, a calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core.identifiers import make_credit_code
from bianmin.hygiene.demo import load_demo_hygiene
from bianmin.hygiene.models import Inspection, PlannedInspection, PublicPlace
from bianmin.registry.models import Division, Organisation
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations(db):
    division = Division.objects.get(code=BAOCHENG)
    names = [
        f"武汉{b}{t}"
        for b in ("长江", "汉口", "江滩", "黄鹤", "晴川", "知音")
        for t in ("酒店管理有限公司", "理发店", "便利店", "文化传媒有限公司", "物业服务有限公司")
    ]
    for n, name in enumerate(names):
        Organisation.unscoped.create(
            credit_code=make_credit_code("91", "420102", f"MA4K{n:05d}"),
            name=name,
            registrar="9",
            org_category="1",
            division=division,
            address=f"武汉市江岸区大智路{n + 1}号",
            area_code=division.prefix,
        )


def test_demo_hygiene(monkeypatch, organisations):
    from django.utils import timezone

    moment = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    lines: list[str] = []
    load_demo_hygiene(seed=3, log=lines.append)
    assert PublicPlace.unscoped.count() == 30
    assert PublicPlace.unscoped.filter(organisation__isnull=False).count() == 30
    grades = set(Inspection.unscoped.values_list("grade", flat=True))
    assert len(grades) >= 3
    assert PlannedInspection.unscoped.filter(done__isnull=True).exists()
    assert "30 个场所" in lines[0]
    load_demo_hygiene(seed=3)
    assert PublicPlace.unscoped.count() == 30
