"""From planned families to people: ID numbers, given names, phones, homes, life events.

Pure planning over plain data (grid codes, county codes) so the same --seed gives the same
residents whatever else is in the database.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from faker import Faker

from bianmin.core.identifiers import make_citizen_id
from bianmin.registry.demo.families import Family, Member, plan_families
from bianmin.registry.demo.places import words
from bianmin.registry.models import LifeStatus, Relationship, ResidenceType

R = Relationship
# Mobile number blocks in use (China Mobile, Unicom, Telecom, Broadnet).
_MOBILE_PREFIXES = words(
    "130 131 132 133 134 135 136 137 138 139 150 151 152 155 156 157 158 159 166 173 175 176 "
    "177 178 180 181 182 183 185 186 187 188 189 191 192 198 199"
)
_ETHNICITIES = (
    ("汉族", 975),
    ("土家族", 10),
    ("回族", 6),
    ("满族", 3),
    ("苗族", 2),
    ("蒙古族", 2),
    ("壮族", 2),
)
_ORIGIN_VILLAGES = words(
    "新农 胜利 红星 联合 和平 团结 建设 长岭 王家湾 李家畈 张湾 柳林 杨店 花园"
)


@dataclass(frozen=True)
class GridPlace:
    grid_code: str
    community_code: str
    community_name: str  # short form: 保成社区
    community_full: str  # 湖北省武汉市江岸区大智街道保成社区
    district_code: str
    road: str
    rural: bool = False  # a 村: addresses go by 组 and house number, not road and flat


@dataclass
class HouseholdPlan:
    number: str
    place: GridPlace
    address: str


@dataclass
class PersonPlan:
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    phone: str
    ethnicity: str
    residence_type: str
    place: GridPlace
    address: str
    registered_division: str  # a community code, or a county code for non-registered people
    registered_address: str
    household: int | None  # index into the household plans
    relationship: str
    family: int  # index of the planned family, for tags that go by family
    family_kind: str
    life_status: str = LifeStatus.ALIVE
    status_date: dt.date | None = None
    status_source: str = ""


@dataclass
class PeoplePlan:
    households: list[HouseholdPlan]
    people: list[PersonPlan]


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class _Ids:
    """Unique, valid ID numbers: odd sequence for men, even for women."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, region: str, birth: dt.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            number = make_citizen_id(region, birth, seq)
            if number not in self.used:
                self.used.add(number)
                return number


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def plan_people(
    *,
    seed: int,
    people: int,
    places: list[GridPlace],
    resident_origins: list[tuple[str, str]],
    floating_origins: list[tuple[str, str]],
    reference: dt.date,
) -> PeoplePlan:
    """`*_origins` are (county code, full name) pairs for people registered elsewhere."""
    rng = random.Random(f"{seed}:people")
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}:people")
    families = plan_families(rng=rng, fake=fake, people=people, reference=reference)
    ids = _Ids(rng)
    households: list[HouseholdPlan] = []
    persons: list[PersonPlan] = []
    per_community: dict[str, int] = {}
    addresses: set[str] = set()
    ethnic_names, ethnic_weights = zip(*_ETHNICITIES, strict=True)
    for index, family in enumerate(families):
        place = rng.choice(places)
        address = _address(rng, place, addresses)
        ethnicity = rng.choices(ethnic_names, ethnic_weights)[0]
        household = None
        if family.residence_type == ResidenceType.REGISTERED:
            per_community[place.community_code] = per_community.get(place.community_code, 0) + 1
            number = f"{place.community_code}{per_community[place.community_code]:04d}"
            households.append(HouseholdPlan(number, place, address))
            household = len(households) - 1
            region, registered = place.district_code, place.community_code
            registered_address = place.community_full + address
        else:
            origins = (
                resident_origins
                if family.residence_type == ResidenceType.RESIDENT
                else floating_origins
            )
            region, county_name = rng.choice(origins)
            registered = region
            registered_address = (
                f"{county_name}{rng.choice(_ORIGIN_VILLAGES)}村{rng.randint(1, 12)}组"
                f"{rng.randint(1, 80)}号"
            )
        phones: list[str] = []
        for member in family.members:
            own = mobile(rng)
            # Children under 16 are reached through a parent's (or grandparent's) phone.
            phone = own if member.age >= 16 or not phones else rng.choice(phones[:2])
            if member.age >= 16:
                phones.append(own)
            persons.append(
                PersonPlan(
                    id_number=ids.make(region, member.birth_date, member.sex),
                    name=member.surname + _given_name(fake, member),
                    sex=member.sex,
                    birth_date=member.birth_date,
                    phone=phone,
                    ethnicity=ethnicity if rng.random() < 0.95 else "汉族",
                    residence_type=family.residence_type,
                    place=place,
                    address=address,
                    registered_division=registered,
                    registered_address=registered_address,
                    household=household,
                    relationship=member.relationship if household is not None else "",
                    family=index,
                    family_kind=family.kind,
                )
            )
            _life_events(rng, persons[-1], member, family, reference)
    return PeoplePlan(households, persons)


# Faker's zh_CN male list carries a few names almost every reader takes for a woman's.
_NOT_FOR_MEN = frozenset({"红霞"})


def _given_name(fake: Faker, member: Member) -> str:
    if member.sex == "F":
        return fake.first_name_female()
    while (name := fake.first_name_male()) in _NOT_FOR_MEN:
        pass
    return name


def _address(rng: random.Random, place: GridPlace, used: set[str]) -> str:
    while place.rural:
        address = f"{place.community_name}{rng.randint(1, 15)}组{rng.randint(1, 120)}号"
        if address not in used:
            used.add(address)
            return address
    while True:
        floor = rng.randint(1, 18)
        address = (
            f"{place.road}{rng.randint(1, 220)}号{rng.randint(1, 12)}栋{rng.randint(1, 4)}单元"
            f"{floor}{rng.randint(1, 6):02d}室"
        )
        if address not in used:
            used.add(address)
            return address


def _life_events(
    rng: random.Random, person: PersonPlan, member: Member, family: Family, reference: dt.date
) -> None:
    """A few deaths (most among the very old) and moves out (young registered adults).

    Never the head: a register whose head died years ago already shows the new head (户主变更),
    and a dead head with living members and no 户主空缺 is what `bianmin consistency` flags."""
    if member.relationship == R.HEAD:
        return
    chance = 0.06 if member.age >= 80 else 0.02 if member.age >= 65 else 0.0015
    if rng.random() < chance:
        person.life_status = LifeStatus.DECEASED
        person.status_source = rng.choices(
            ("公安户籍注销（死亡）", "卫健死亡医学证明", "民政火化信息"), (6, 3, 1)
        )[0]
    elif (
        family.residence_type == ResidenceType.REGISTERED
        and member.relationship in {R.SON, R.DAUGHTER}
        and 18 <= member.age <= 35
        and rng.random() < 0.12
    ):
        person.life_status = LifeStatus.MOVED_OUT
        person.status_source = rng.choice(
            ("公安户籍迁出（升学）", "公安户籍迁出（工作调动）", "公安户籍迁出（婚嫁）")
        )
    else:
        return
    days = (reference - person.birth_date).days
    back = dt.timedelta(days=rng.randint(1, max(1, min(days, 900))))
    person.status_date = max(person.birth_date, reference - back)
