"""Households of plausible composition: who lives with whom, how old, and what they're called.

Pure planning — no database. Ages are chosen so that relationships make sense (a mother is 20–40
years older than her children, a head's parents 22–35 years older than the head), and the mix
of household types gives a Chinese city's age profile: about a fifth of residents over 60.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker

from bianmin.registry.models import Relationship, ResidenceType

R = Relationship


@dataclass
class Member:
    relationship: str
    sex: str
    age: int
    surname: str
    birth_date: dt.date = dt.date.min


@dataclass
class Family:
    kind: str
    residence_type: str
    members: list[Member] = field(default_factory=list)


class _Builder:
    """Shared state for one family: the generators and the family's surname line."""

    def __init__(self, rng: random.Random, fake: Faker):
        self.rng, self.fake = rng, fake

    def surname(self) -> str:
        return self.fake.last_name()

    def couple(self, husband_ages: tuple[int, int]) -> tuple[Member, Member]:
        """Head first. Husbands are on average two years older; the head is the husband in
        about two households of three."""
        rng = self.rng
        husband = rng.randint(*husband_ages)
        wife = max(20, husband - min(10, max(-6, round(rng.gauss(2, 2.5)))))
        m = Member(R.HEAD, "M", husband, self.surname())
        f = Member(R.SPOUSE, "F", wife, self.surname())
        if rng.random() < 0.32:
            m.relationship, f.relationship = R.SPOUSE, R.HEAD
            return f, m
        return m, f

    def children(
        self,
        parent_age: int,
        line: str,
        n: int,
        *,
        max_age: int = 30,
        mother_surname: str = "",
        relationship: str | None = None,
        min_age: int = 0,
    ) -> list[Member]:
        """`parent_age` is the younger parent's: both are 20-40 years older than each child."""
        kids = []
        low, high = max(min_age, parent_age - 40), min(max_age, parent_age - 20)
        if high < low:
            return kids
        for _ in range(n):
            sex = "M" if self.rng.random() < 0.52 else "F"
            rel = relationship or (R.SON if sex == "M" else R.DAUGHTER)
            surname = line if self.rng.random() < 0.92 or not mother_surname else mother_surname
            kids.append(Member(rel, sex, self.rng.randint(low, high), surname))
        return kids

    def parents_of(self, head: Member, n: int) -> list[Member]:
        rng = self.rng
        father_age = min(100, head.age + rng.randint(24, 35))
        mother_age = max(head.age + 20, father_age - round(rng.gauss(2, 2)))
        father = Member(R.PARENT, "M", father_age, head.surname)
        mother = Member(R.PARENT, "F", min(100, mother_age), self.surname())
        if n >= 2:
            return [father, mother]
        # Widows outnumber widowers.
        return [mother if rng.random() < 0.65 else father]


def _mother(members: list[Member]) -> Member:
    return next(m for m in members[:2] if m.sex == "F")


def _younger(members: list[Member]) -> int:
    return min(m.age for m in members[:2])


def _line(members: list[Member]) -> str:
    return next((m.surname for m in members[:2] if m.sex == "M"), members[0].surname)


def _single_elder(b: _Builder) -> list[Member]:
    sex = "F" if b.rng.random() < 0.65 else "M"
    return [Member(R.HEAD, sex, b.rng.randint(65, 94), b.surname())]


def _single_adult(b: _Builder, ages: tuple[int, int] = (22, 55)) -> list[Member]:
    sex = "M" if b.rng.random() < 0.55 else "F"
    return [Member(R.HEAD, sex, b.rng.randint(*ages), b.surname())]


def _elder_couple(b: _Builder) -> list[Member]:
    return list(b.couple((62, 88)))


def _young_couple(b: _Builder) -> list[Member]:
    return list(b.couple((24, 38)))


def _couple_children(b: _Builder, n: int, ages: tuple[int, int]) -> list[Member]:
    members = list(b.couple(ages))
    mother = _mother(members)
    return members + b.children(
        _younger(members), _line(members), n, max_age=28, mother_surname=mother.surname
    )


def _three_generations(b: _Builder) -> list[Member]:
    members = _couple_children(b, b.rng.choice((1, 1, 2)), (34, 56))
    return members + b.parents_of(members[0], b.rng.choice((1, 2)))


def _elder_head(b: _Builder) -> list[Member]:
    """Grandparents as head, a married son or daughter, and grandchildren."""
    rng = b.rng
    members = list(b.couple((58, 78)))
    line = _line(members)
    child = b.children(_younger(members), line, 1, min_age=25, max_age=45)
    if not child:
        return members
    members += child
    kid = child[0]
    in_law_sex = "F" if kid.sex == "M" else "M"
    in_law = Member(
        R.OTHER_RELATIVE, in_law_sex, max(22, kid.age + rng.randint(-4, 4)), b.surname()
    )
    if rng.random() < 0.6:
        members.append(in_law)
    grand_line = line if kid.sex == "M" else in_law.surname
    return members + b.children(
        min(kid.age, in_law.age),
        grand_line,
        rng.choice((1, 1, 2)),
        max_age=16,
        relationship=R.GRANDCHILD,
    )


def _skipped_generation(b: _Builder) -> list[Member]:
    """隔代户: grandparents bringing up grandchildren while the parents work elsewhere."""
    rng = b.rng
    members = (
        list(b.couple((55, 72)))
        if rng.random() < 0.7
        else [Member(R.HEAD, "F", rng.randint(55, 75), b.surname())]
    )
    youngest = min(m.age for m in members)
    line = _line(members)
    for _ in range(rng.choice((1, 1, 2))):
        age = rng.randint(3, min(15, youngest - 40))
        sex = "M" if rng.random() < 0.52 else "F"
        members.append(Member(R.GRANDCHILD, sex, age, line if rng.random() < 0.75 else b.surname()))
    return members


def _single_parent(b: _Builder) -> list[Member]:
    rng = b.rng
    sex = "F" if rng.random() < 0.7 else "M"
    head = Member(R.HEAD, sex, rng.randint(30, 50), b.surname())
    mother_age = head.age if sex == "F" else head.age - 2
    return [head, *b.children(mother_age, head.surname, 1, max_age=20)]


def _couple_old_parent(b: _Builder) -> list[Member]:
    members = list(b.couple((50, 62)))
    return members + b.parents_of(members[0], 1)


Kind = Callable[[_Builder], list[Member]]
KINDS: dict[str, Kind] = {
    "single_elder": _single_elder,
    "single_adult": _single_adult,
    "young_single": lambda b: _single_adult(b, (18, 40)),
    "elder_couple": _elder_couple,
    "young_couple": _young_couple,
    "couple_1child": lambda b: _couple_children(b, 1, (28, 58)),
    "couple_2children": lambda b: _couple_children(b, 2, (33, 56)),
    "three_generations": _three_generations,
    "elder_head": _elder_head,
    "skipped_generation": _skipped_generation,
    "single_parent": _single_parent,
    "couple_old_parent": _couple_old_parent,
}
# Household mix by residence type: registered households are older, floating ones younger.
MIX = {
    ResidenceType.REGISTERED: {
        "single_elder": 11,
        "single_adult": 9,
        "elder_couple": 15,
        "young_couple": 7,
        "couple_1child": 22,
        "couple_2children": 6,
        "three_generations": 13,
        "elder_head": 7,
        "single_parent": 4,
        "skipped_generation": 2,
        "couple_old_parent": 4,
    },
    ResidenceType.RESIDENT: {
        "single_adult": 15,
        "young_couple": 15,
        "couple_1child": 35,
        "couple_2children": 15,
        "three_generations": 10,
        "elder_couple": 5,
        "single_parent": 5,
    },
    ResidenceType.FLOATING: {
        "young_single": 40,
        "young_couple": 20,
        "couple_1child": 25,
        "couple_2children": 10,
        "single_parent": 5,
    },
}
# By household; floating households are smaller, so this gives about 70/15/15 by people.
RESIDENCE_MIX = {
    ResidenceType.REGISTERED: 0.67,
    ResidenceType.RESIDENT: 0.13,
    ResidenceType.FLOATING: 0.20,
}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def birth_date_for(rng: random.Random, age: int, reference: dt.date) -> dt.date:
    """A birth date on which the person is exactly `age` on `reference`."""
    latest = _years_before(reference, age)
    earliest = _years_before(reference, age + 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))


def plan_families(
    *, rng: random.Random, fake: Faker, people: int, reference: dt.date
) -> list[Family]:
    """Families totalling exactly `people` members (the last one trimmed if need be)."""
    builder = _Builder(rng, fake)
    types, type_weights = zip(*RESIDENCE_MIX.items(), strict=True)
    families: list[Family] = []
    total = 0
    while total < people:
        residence = rng.choices(types, type_weights)[0]
        kinds, weights = zip(*MIX[residence].items(), strict=True)
        kind = rng.choices(kinds, weights)[0]
        members = KINDS[kind](builder)[: people - total]
        for m in members:
            m.birth_date = birth_date_for(rng, m.age, reference)
        families.append(Family(kind, residence, members))
        total += len(members)
    return families
