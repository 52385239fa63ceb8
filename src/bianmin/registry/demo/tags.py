"""Key-population tags at realistic rates. Age tags are derived, so never attached here."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from bianmin.registry.demo.people import PersonPlan, age_on
from bianmin.registry.models import LifeStatus, ResidenceType


@dataclass(frozen=True)
class TagPlan:
    person: int  # index into the people plan
    tag: str
    since: dt.date
    source: str


_SOURCES = {
    "disabled": "区残联（第二代残疾人证）",
    "dibao": "街道民政办低保审批",
    "tekun": "区民政局特困供养认定",
    "hypertension": "社区卫生服务中心慢病建档",
    "diabetes": "社区卫生服务中心慢病建档",
    "severe-mental": "区精神卫生防治机构报告",
    "pregnant": "社区卫生服务中心孕产妇建册",
    "left-behind-child": "社区儿童主任摸排",
    "left-behind-elder": "社区网格员走访",
    "veteran": "区退役军人事务局",
    "unemployed": "街道人社中心就业失业登记",
}
_ELDER_ALONE = {"single_elder", "elder_couple"}


def plan_tags(*, seed: int, people: list[PersonPlan], reference: dt.date) -> list[TagPlan]:
    rng = random.Random(f"{seed}:tags")
    tags: list[TagPlan] = []

    def tag(index: int, code: str, years_back: int = 10) -> None:
        person = people[index]
        since = reference - dt.timedelta(days=rng.randint(30, 365 * years_back))
        tags.append(TagPlan(index, code, max(since, person.birth_date), _SOURCES[code]))

    families: dict[int, list[int]] = defaultdict(list)
    for index, person in enumerate(people):
        families[person.family].append(index)
        age = age_on(person.birth_date, reference)
        if rng.random() < (0.12 if age >= 60 else 0.045 if age >= 18 else 0.015):
            tag(index, "disabled")
        if age >= 35 and rng.random() < (0.30 if age >= 60 else 0.08):
            tag(index, "hypertension")
        if age >= 35 and rng.random() < (0.10 if age >= 60 else 0.03):
            tag(index, "diabetes")
        if age >= 18 and rng.random() < 0.003:
            tag(index, "severe-mental")
        if person.sex == "F" and 22 <= age <= 38 and rng.random() < 0.015:
            tag(index, "pregnant", years_back=1)
        if person.sex == "M" and 25 <= age <= 75 and rng.random() < 0.02:
            tag(index, "veteran", years_back=30)
        if 18 <= age < 60 and person.life_status == LifeStatus.ALIVE and rng.random() < 0.025:
            tag(index, "unemployed", years_back=2)
        if person.family_kind == "skipped_generation" and age < 16:
            tag(index, "left-behind-child", years_back=3)
    for members in families.values():
        first = people[members[0]]
        if first.residence_type != ResidenceType.REGISTERED:
            continue
        # 低保 is granted to a household, so every member carries it.
        if rng.random() < 0.018:
            for index in members:
                tag(index, "dibao", years_back=5)
        if first.family_kind in _ELDER_ALONE and rng.random() < 0.4:
            for index in members:
                if age_on(people[index].birth_date, reference) >= 60:
                    tag(index, "left-behind-elder", years_back=5)
        if first.family_kind == "single_elder" and rng.random() < 0.04:
            tag(members[0], "tekun", years_back=8)
    return tags
