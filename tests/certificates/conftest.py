"""Certificate fixtures: issuing authorities of 江岸区 (民政, 残联, 公安, 市场监管) with
valid credit codes, a resident of 保成社区 and an enterprise registered in 江岸区."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.certificates.models import Issuer
from bianmin.core.audit import Actor
from bianmin.core.identifiers import make_credit_code
from bianmin.registry.models import Department, Division
from bianmin.registry.services.organisations import create_organisation
from tests import factories
from tests.conftest import BAOCHENG, JIANGAN

ACTOR = Actor(name="pytest")


def make_issuer(dept: str, division: str = JIANGAN, body9: str = "MB1234567") -> Issuer:
    d = Department.objects.get(code=dept)
    div = Division.objects.get(code=division)
    return Issuer.objects.create(
        credit_code=make_credit_code("11", division[:6], body9),
        name=f"武汉市{div.name}{d.name}",
        department=d,
        division=div,
    )


@pytest.fixture
def issuers(db) -> dict[str, Issuer]:
    return {
        "CL": make_issuer("CL", body9="011111118"),
        "MZ": make_issuer("MZ", body9="022222226"),
        "GA": make_issuer("GA", body9="033333334"),
        "SCJG": make_issuer("SCJG", body9="044444442"),
    }


@pytest.fixture
def resident(db):
    return factories.person(
        community=BAOCHENG, name="王秀兰", male=False, birth=dt.date(1950, 3, 8)
    )


@pytest.fixture
def enterprise(db):
    return create_organisation(
        actor=ACTOR,
        credit_code=make_credit_code("91", "420102", "MA4K12345"),
        name="武汉市江岸区大智便民超市有限公司",
        division=BAOCHENG,
        address="武汉市江岸区中山大道1234号",
        established=dt.date(2019, 5, 20),
    )
