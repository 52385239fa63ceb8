"""Building the whole demo city in one transaction: divisions, org units, grids, staff,
people and households, tags, organisations — and one audit entry for the run.

People are written with `bulk_create` rather than 3,000 calls of `create_person` (each of which
writes its own audit entry), but every row is built with the helpers the service uses
(`identity_fields`, `initials`, `area_code_for`, `parse_credit_code`), so the invariants are the
ones a row created through the service would have.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.identifiers import normalize_mobile, parse_credit_code
from bianmin.core.models import AuditAction
from bianmin.registry.demo.grids import build_grids
from bianmin.registry.demo.organisations import plan_organisations
from bianmin.registry.demo.orgunits import CITY_CENTRE, build_org_units
from bianmin.registry.demo.people import GridPlace, PeoplePlan, plan_people
from bianmin.registry.demo.places import (
    CITY_PREFIX,
    is_village,
    people_places,
    road,
    short_name,
)
from bianmin.registry.demo.staff import create_staff
from bianmin.registry.demo.tags import plan_tags
from bianmin.registry.models import (
    Department,
    Division,
    DivisionLevel,
    Grid,
    Household,
    Organisation,
    OrgUnit,
    Person,
    PersonTag,
)
from bianmin.registry.naming import initials
from bianmin.registry.services.divisions import load_divisions
from bianmin.registry.services.people import area_code_for, identity_fields

SEED_ACTOR = Actor(name="bianmin seed")
# Where people registered elsewhere come from: neighbouring Hubei cities (孝感, 黄冈, 荆州, 咸宁)
# and the provinces around (信阳, 周口, 驻马店 in 河南; 岳阳 in 湖南; 安庆; 九江).
FLOATING_ORIGIN_CITIES = (
    "4209",
    "4211",
    "4210",
    "4212",
    "4115",
    "4116",
    "4117",
    "4306",
    "3408",
    "3604",
)
_BATCH = 500


def demo_city_exists() -> bool:
    return OrgUnit.objects.filter(code=CITY_CENTRE).exists() or Person.unscoped.exists()


def reference_date(today: dt.date) -> dt.date:
    """Ages are counted to 1 January, so a seed gives the same people all year."""
    return dt.date(today.year, 1, 1)


def build_demo_city(
    *,
    people: int,
    seed: int,
    districts: list[str] | None,
    today: dt.date,
    log: Callable[[str], None] = lambda _m: None,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    with transaction.atomic():
        loaded = load_divisions(city_prefix=CITY_PREFIX)
        counts["divisions_created"] = loaded["created"]
        log(f"行政区划 divisions: {loaded['created']} 新增, {loaded['total']} 条")

        departments = {
            code: (name, short)
            for code, name, short in Department.objects.values_list("code", "name", "short_name")
        }
        units = build_org_units(rng=random.Random(f"{seed}:org"), departments=departments)
        OrgUnit.objects.bulk_create(units, batch_size=1000)
        counts["org_units"] = len(units)
        log(f"组织机构 org units: {len(units)}")

        places = people_places(districts, people)
        grid_communities = list(
            Division.objects.filter(
                parent__parent__in=places.districts, level=DivisionLevel.VILLAGE
            ).order_by("code")
        )
        grids = build_grids(rng=random.Random(f"{seed}:grids"), communities=grid_communities)
        Grid.unscoped.bulk_create(grids, batch_size=1000)
        counts["grids"] = len(grids)
        log(f"网格 grids: {len(grids)}（{len(grid_communities)} 个村（社区））")

        people_communities = {c.code for c in places.communities}
        staff = create_staff(seed=seed, grids=grids, people_communities=people_communities)
        counts["staff"] = staff["accounts"]
        log(f"工作人员 staff accounts: {staff['accounts']}")

        grid_places = grid_places_in(people_communities)
        plan = people_plan(seed=seed, people=people, places=grid_places, today=today)
        persons = _write_people(plan)
        counts["households"] = len(plan.households)
        counts["people"] = len(persons)
        log(f"人口库 people: {len(persons)}，户 households: {len(plan.households)}")

        tags = plan_tags(seed=seed, people=plan.people, reference=reference_date(today))
        PersonTag.objects.bulk_create(
            [
                PersonTag(person=persons[t.person], tag_id=t.tag, since=t.since, source=t.source)
                for t in tags
            ],
            batch_size=_BATCH,
        )
        counts["person_tags"] = len(tags)
        log(f"重点人群标签 tags: {len(tags)}")

        orgs = _write_organisations(seed, people, plan, grid_places, persons, today)
        counts["organisations"] = orgs
        log(f"法人库 organisations: {orgs}")

        audit.record(
            SEED_ACTOR,
            AuditAction.IMPORT,
            object_type="seed",
            object_id=str(seed),
            object_label="演示城市（武汉市）",
            changes={**counts, "districts": districts or []},
        )
    return counts


def grid_places_in(communities: set[str]) -> list[GridPlace]:
    """The grids people are spread over, in a stable order (the plan depends on it)."""
    grids = Grid.unscoped.select_related("community").filter(community__in=communities)
    return [_place(g) for g in grids.order_by("code")]


def people_plan(*, seed: int, people: int, places: list[GridPlace], today: dt.date) -> PeoplePlan:
    """The residents a seed gives; the same arguments give the same people."""
    return plan_people(
        seed=seed,
        people=people,
        places=places,
        reference=reference_date(today),
        resident_origins=_origins(resident=True),
        floating_origins=_origins(resident=False),
    )


def _place(grid: Grid) -> GridPlace:
    community = grid.community
    full = community.full_name[: len(community.full_name) - len(community.name)]
    return GridPlace(
        grid_code=grid.code,
        community_code=community.code,
        community_name=short_name(community.name),
        community_full=full + short_name(community.name),
        district_code=community.code[:6],
        road=road(community),
        rural=is_village(community),
    )


def _origins(*, resident: bool) -> list[tuple[str, str]]:
    counties = Division.objects.filter(level=DivisionLevel.COUNTY)
    if resident:
        # 常住: bought or rent a home here, registered in another district or elsewhere in Hubei.
        counties = counties.filter(code__startswith="42")
    else:
        from django.db.models import Q

        query = Q()
        for prefix in FLOATING_ORIGIN_CITIES:
            query |= Q(code__startswith=prefix)
        counties = counties.filter(query)
    return list(counties.order_by("code").values_list("code", "full_name"))


def _write_people(plan: PeoplePlan) -> list[Person]:
    divisions = Division.objects.in_bulk(
        {p.registered_division for p in plan.people} | {p.place.community_code for p in plan.people}
    )
    grids = Grid.unscoped.in_bulk({p.place.grid_code for p in plan.people})
    households = [
        Household(
            number=h.number,
            division=divisions[h.place.community_code],
            grid=grids[h.place.grid_code],
            address=h.address,
            area_code=grids[h.place.grid_code].code,
        )
        for h in plan.households
    ]
    Household.unscoped.bulk_create(households, batch_size=_BATCH)
    rows = []
    for p in plan.people:
        identity = identity_fields(p.id_number)
        grid, residence = grids[p.place.grid_code], divisions[p.place.community_code]
        registered = divisions[p.registered_division]
        rows.append(
            Person(
                id_cipher=identity.id_cipher,
                id_hash=identity.id_hash,
                id_masked=identity.id_masked,
                id_last4=identity.id_last4,
                birth_date=identity.birth_date,
                sex=identity.sex,
                name=p.name,
                name_initials=initials(p.name),
                ethnicity=p.ethnicity,
                phone=normalize_mobile(p.phone),
                household=households[p.household] if p.household is not None else None,
                relationship=p.relationship,
                registered_division=registered,
                registered_address=p.registered_address,
                residence_division=residence,
                grid=grid,
                residence_address=p.address,
                residence_type=p.residence_type,
                life_status=p.life_status,
                status_date=p.status_date,
                status_source=p.status_source,
                area_code=area_code_for(grid, residence, registered),
            )
        )
    return Person.unscoped.bulk_create(rows, batch_size=_BATCH)


def _write_organisations(
    seed: int,
    people: int,
    plan: PeoplePlan,
    places: list[GridPlace],
    persons: list[Person],
    today: dt.date,
) -> int:
    if not places:
        return 0
    names = dict(
        Division.objects.filter(code__in={p.district_code for p in places}).values_list(
            "code", "name"
        )
    )
    plans = plan_organisations(
        seed=seed,
        count=people // 20,
        people=plan.people,
        places=places,
        district_names=names,
        reference=reference_date(today),
    )
    divisions = Division.objects.in_bulk({o.division for o in plans})
    rows = []
    for o in plans:
        parsed = parse_credit_code(o.credit_code)
        division = divisions[o.division]
        rows.append(
            Organisation(
                credit_code=parsed.code,
                name=o.name,
                registrar=parsed.registrar,
                org_category=parsed.org_category,
                division=division,
                address=o.address,
                phone=o.phone,
                established=o.established,
                status=o.status,
                legal_rep=persons[o.legal_rep] if o.legal_rep is not None else None,
                area_code=division.prefix,
            )
        )
    Organisation.unscoped.bulk_create(rows, batch_size=_BATCH)
    return len(rows)
