"""Health fixtures: a township health centre in 大智街道 with its doctor, a 江汉区 doctor
(another area), a city hospital, and a resident of 保成社区 with a record."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core.audit import Actor
from bianmin.health.models import Institution, InstitutionLevel
from bianmin.health.services import records
from bianmin.registry.access import actor_for
from bianmin.registry.models import Division, OrgUnit
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET

MINZUJIE_STREET = "420103001000"


def institution_of(user, level=InstitutionLevel.TOWNSHIP) -> Institution:
    unit = user.staff.org_unit
    return Institution.objects.get_or_create(
        org_unit=unit, defaults={"level": level, "area_code": unit.division.prefix}
    )[0]


@pytest.fixture
def dazhi_doctor(db):
    user = factories.staff("ys_dazhi", role="doctor", division=DAZHI_STREET, department="WJ")
    institution_of(user)
    return user


@pytest.fixture
def minzujie_doctor(db):
    user = factories.staff("ys_mzj", role="doctor", division=MINZUJIE_STREET, department="WJ")
    institution_of(user)
    return user


@pytest.fixture
def dazhi_centre(dazhi_doctor) -> Institution:
    return dazhi_doctor.staff.org_unit.health_institution


@pytest.fixture
def city_hospital(db) -> Institution:
    unit = OrgUnit.objects.create(
        code="WSY-CITY-1",
        name="武汉市中心医院",
        kind="health",
        division=Division.objects.get(code="420102"),
    )
    return Institution.objects.create(org_unit=unit, level=InstitutionLevel.CITY, area_code="4201")


@pytest.fixture
def doctor_actor(dazhi_doctor) -> Actor:
    return actor_for(dazhi_doctor)


@pytest.fixture
def resident(db):
    return factories.person(
        community=BAOCHENG, name="李秀英", birth=dt.date(1952, 3, 8), male=False
    )


@pytest.fixture
def record(resident, dazhi_centre, system_actor):
    return records.open_record(
        actor=system_actor,
        person=resident,
        opened_on=dt.date(2024, 5, 6),
        institution=dazhi_centre,
        blood_type="A",
        payment_type="resident",
        responsible_doctor="王医生",
    )
