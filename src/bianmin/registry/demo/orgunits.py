"""The three-level service system (三级便民服务体系) and the departments' units, for the whole
city: 市政务服务中心 → 区政务服务中心 → 街道（乡镇）365便民服务中心 → 村（社区）便民服务室,
plus department units at city and district level and a health institution per street/town."""

from __future__ import annotations

import random

from bianmin.registry.demo.places import CITY_CODE, is_township, is_village, road, short_name
from bianmin.registry.models import Division, DivisionLevel, OrgUnit, OrgUnitKind
from bianmin.registry.models.org import CentreGrade

# The departments with a unit in every district (the ones whose reviewers decide cases).
DEPARTMENT_UNITS = ("GA", "RS", "MZ", "WJ", "SCJG", "CL", "YB")
OFFICE = "ZWJ-420100"
CITY_CENTRE = "ZWZX-420100"

_HOURS_CENTRE = "周一至周五 9:00-12:00、13:30-17:00；周六上午延时服务（法定节假日除外）"
_HOURS_365 = "365天不打烊 8:30-17:30"
_HOURS_ROOM = "周一至周日 8:30-12:00、14:00-17:30（代办员上门服务请预约）"
_HOURS_DEPT = "周一至周五 9:00-12:00、13:30-17:00"
_HOURS_HEALTH = "门诊 8:00-17:30；家庭医生签约服务预约制"

# 示范型 / 标准型 / 简易型 — urban communities are better equipped than villages.
_ROOM_GRADES = {
    "community": (
        (CentreGrade.MODEL, 0.18),
        (CentreGrade.STANDARD, 0.62),
        (CentreGrade.SIMPLE, 0.20),
    ),
    "village": (
        (CentreGrade.MODEL, 0.08),
        (CentreGrade.STANDARD, 0.42),
        (CentreGrade.SIMPLE, 0.50),
    ),
}


# What a department's unit is called at district level, where it differs from the city's.
_DISTRICT_NAMES = {"GA": "公安分局", "WJ": "卫生健康局"}


def centre_code(division: Division) -> str:
    """BMZX-<12-digit street code> for a 365 centre, BMS-<12-digit code> for a village room."""
    if division.level == DivisionLevel.TOWN:
        return f"BMZX-{division.code}"
    if division.level == DivisionLevel.VILLAGE:
        return f"BMS-{division.code}"
    return f"ZWZX-{division.code}"


def department_unit_code(department: str, division_code: str) -> str:
    return f"{department}-{division_code}"


def health_code(street: Division) -> str:
    return f"WSY-{street.code}"


def _grade(rng: random.Random, kind: str) -> str:
    choices, weights = zip(*_ROOM_GRADES[kind], strict=True)
    return rng.choices(choices, weights)[0]


def _phone(rng: random.Random) -> str:
    return f"027-8{rng.randrange(1_000_000, 9_999_999)}"


def build_org_units(
    *, rng: random.Random, departments: dict[str, tuple[str, str]]
) -> list[OrgUnit]:
    """Every unit of the city, parents before children, ready for bulk_create.

    `departments` maps department code → (name, short name): (公安局, 公安)."""
    divisions = list(
        Division.objects.filter(code__startswith=CITY_CODE[:4]).order_by("level", "code")
    )
    city = next(d for d in divisions if d.code == CITY_CODE)
    units: list[OrgUnit] = [
        OrgUnit(
            code=OFFICE,
            name="武汉市政务服务和大数据管理局",
            kind=OrgUnitKind.OFFICE,
            division=city,
            department_id="ZW",
            address="武汉市江岸区市民之家",
            phone=_phone(rng),
            hours=_HOURS_DEPT,
        ),
        OrgUnit(
            code=CITY_CENTRE,
            name="武汉市政务服务中心",
            kind=OrgUnitKind.SERVICE_CENTRE,
            division=city,
            parent_id=OFFICE,
            grade=CentreGrade.MODEL,
            address="武汉市江岸区市民之家（一楼至三楼综合窗口）",
            phone=_phone(rng),
            hours=_HOURS_CENTRE,
        ),
    ]
    for dept in DEPARTMENT_UNITS:
        units.append(
            OrgUnit(
                code=department_unit_code(dept, CITY_CODE),
                name=f"武汉市{departments[dept][0]}",
                kind=OrgUnitKind.DEPARTMENT_UNIT,
                division=city,
                department_id=dept,
                address=f"武汉市江岸区市民之家（{departments[dept][1]}窗口）",
                phone=_phone(rng),
                hours=_HOURS_DEPT,
            )
        )
    by_code = {d.code: d for d in divisions}
    # A district's centre is on the road of its first street (江岸区 → 大智路).
    first_street: dict[str, Division] = {}
    for d in divisions:
        if d.level == DivisionLevel.TOWN:
            first_street.setdefault(d.parent_id, d)
    for d in divisions:
        parent = by_code.get(d.parent_id or "")
        if d.level == DivisionLevel.COUNTY:
            units.extend(_district_units(rng, d, first_street.get(d.code, d), departments))
        elif d.level == DivisionLevel.TOWN and parent is not None:
            units.extend(_street_units(rng, d, parent))
        elif d.level == DivisionLevel.VILLAGE and parent is not None:
            units.append(_room(rng, d, parent))
    return units


def _room(rng: random.Random, d: Division, street: Division) -> OrgUnit:
    short = short_name(d.name)
    return OrgUnit(
        code=centre_code(d),
        name=f"{short}便民服务室",
        kind=OrgUnitKind.SERVICE_CENTRE,
        division=d,
        parent_id=centre_code(street),
        grade=_grade(rng, "village" if is_village(d) else "community"),
        address=f"{short}党群服务中心一楼（{road(d)}{rng.randint(1, 199)}号）",
        phone=_phone(rng),
        hours=_HOURS_ROOM,
    )


def _district_units(
    rng: random.Random, d: Division, street: Division, departments: dict[str, tuple[str, str]]
) -> list[OrgUnit]:
    address = f"武汉市{d.name}{road(street)}{rng.randint(1, 300)}号"
    units = [
        OrgUnit(
            code=centre_code(d),
            name=f"{d.name}政务服务中心",
            kind=OrgUnitKind.SERVICE_CENTRE,
            division=d,
            parent_id=CITY_CENTRE,
            grade=CentreGrade.MODEL,
            address=address,
            phone=_phone(rng),
            hours=_HOURS_CENTRE,
        )
    ]
    for dept in DEPARTMENT_UNITS:
        units.append(
            OrgUnit(
                code=department_unit_code(dept, d.code),
                name=f"{d.name}{_DISTRICT_NAMES.get(dept, departments[dept][0])}",
                kind=OrgUnitKind.DEPARTMENT_UNIT,
                division=d,
                department_id=dept,
                parent_id=department_unit_code(dept, CITY_CODE),
                address=f"{address}（{d.name}政务服务中心{departments[dept][1]}窗口）",
                phone=_phone(rng),
                hours=_HOURS_DEPT,
            )
        )
    return units


def _street_units(rng: random.Random, d: Division, district: Division) -> list[OrgUnit]:
    name = short_name(d.name)
    grade = CentreGrade.MODEL if rng.random() < 0.3 else CentreGrade.STANDARD
    number = rng.randint(1, 260)
    health_name = (
        f"{district.name}{name}卫生院"
        if is_township(d)
        else f"{district.name}{name}社区卫生服务中心"
    )
    return [
        OrgUnit(
            code=centre_code(d),
            name=f"{name}365便民服务中心",
            kind=OrgUnitKind.SERVICE_CENTRE,
            division=d,
            parent_id=centre_code(district),
            grade=grade,
            address=f"武汉市{district.name}{road(d)}{number}号",
            phone=_phone(rng),
            hours=_HOURS_365,
        ),
        OrgUnit(
            code=health_code(d),
            name=health_name,
            kind=OrgUnitKind.HEALTH_INSTITUTION,
            division=d,
            department_id="WJ",
            parent_id=department_unit_code("WJ", district.code),
            address=f"武汉市{district.name}{road(d)}{number + 2 * rng.randint(1, 20)}号",
            phone=_phone(rng),
            hours=_HOURS_HEALTH,
        ),
    ]
