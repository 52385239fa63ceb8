"""The registry's own part of a life event (the person's row itself is changed by
registry/services/lifeevents.py before dispatch):

- DEATH / MOVE_OUT of a household head while others still live in the household: the
  household gets an open `HeadVacancy` (户主空缺) — nobody is promoted automatically, because
  a new head re-bases every other member's relationship and is decided at 户主变更 (公安);
  `appoint_head` records it.
- MOVE: when the head moves and no living member is left at the household's grid, the
  household follows to the new grid (its 管辖区划 is where its people live).

Checks (`bianmin consistency`): a head who is not alive in a household with living members and
no vacancy recorded; a person or household whose area code contradicts their grid.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F

from bianmin.core import lifecycle
from bianmin.core.lifecycle import Contradiction, LifeEvent
from bianmin.registry.models import Household, LifeStatus, Person, Relationship


def _vacate_head(event: LifeEvent, actor) -> str | None:
    from bianmin.exchange.models import HeadVacancy

    person = Person.unscoped.select_related("household").get(pk=event.person_id)
    household = person.household
    if household is None:
        return None
    living = Person.unscoped.filter(household=household, life_status=LifeStatus.ALIVE).count()
    if person.relationship != Relationship.HEAD:
        return f"户{household.number}在册人数{living}人"
    if living == 0:
        return f"户主{person.name}，户{household.number}已无在册人员"
    HeadVacancy.objects.get_or_create(
        household=household,
        filled_by__isnull=True,
        defaults={
            "former_head": person,
            "since": event.occurred_on,
            "event_id": event.data.get("record_id"),
        },
    )
    return f"户{household.number}户主空缺，待办理户主变更（在册{living}人）"


def _household_follows(event: LifeEvent, actor) -> str | None:
    person = Person.unscoped.select_related("household", "grid").get(pk=event.person_id)
    household = person.household
    if household is None or person.relationship != Relationship.HEAD or person.grid is None:
        return None
    if household.grid_id == person.grid_id:
        return None
    left_behind = (
        Person.unscoped.filter(household=household, life_status=LifeStatus.ALIVE)
        .exclude(pk=person.pk)
        .filter(grid_id=household.grid_id)
        .exists()
    )
    if left_behind or person.grid.community_id != household.division_id:
        # Family members still live at the old grid, or the head moved out of the household's
        # 户籍 community (the 户 stays registered there): the household does not follow.
        return None
    Household.unscoped.filter(pk=household.pk).update(grid=person.grid, area_code=person.grid.code)
    return f"户{household.number}所属网格随户主变更为{person.grid.code}"


def check_heads() -> Iterator[Contradiction]:
    """Set-based (a handful of queries per thousand households, not per household): the check
    runs over the whole register."""
    from bianmin.exchange.models import HeadVacancy

    heads = list(
        Person.unscoped.filter(relationship=Relationship.HEAD, household__isnull=False)
        .exclude(life_status=LifeStatus.ALIVE)
        .values_list("pk", "household_id", "household__number", "life_status")
    )
    for start in range(0, len(heads), 1000):
        chunk = heads[start : start + 1000]
        ids = [h[1] for h in chunk]
        living = Person.unscoped.filter(household_id__in=ids, life_status=LifeStatus.ALIVE)
        with_living = set(living.values_list("household_id", flat=True))
        with_head = set(
            living.filter(relationship=Relationship.HEAD).values_list("household_id", flat=True)
        )
        vacated = set(
            HeadVacancy.objects.filter(household_id__in=ids).values_list(
                "household_id", "former_head_id"
            )
        )
        for pk, household_id, number, status in chunk:
            if household_id not in with_living or household_id in with_head:
                continue
            if (household_id, pk) in vacated:
                continue
            yield Contradiction(
                check="registry.household_head",
                model="registry.Household",
                pk=household_id,
                person_id=pk,
                message=f"户{number}的户主状态为{status}，户内仍有在册人员，且未登记户主空缺或新户主",
            )


def check_grids() -> Iterator[Contradiction]:
    people = Person.unscoped.filter(grid__isnull=False).exclude(area_code=F("grid_id"))
    for pk, area, grid in people.values_list("pk", "area_code", "grid_id"):
        yield Contradiction(
            check="registry.residence_area",
            model="registry.Person",
            pk=pk,
            person_id=pk,
            message=f"管辖区划{area}与现居住网格{grid}不一致",
        )
    households = Household.unscoped.filter(grid__isnull=False).exclude(area_code=F("grid_id"))
    for pk, area, grid in households.values_list("pk", "area_code", "grid_id"):
        yield Contradiction(
            check="registry.residence_area",
            model="registry.Household",
            pk=pk,
            person_id=None,
            message=f"户的管辖区划{area}与所属网格{grid}不一致",
        )


def register() -> None:
    lifecycle.register_handler(lifecycle.DEATH, "registry.household", _vacate_head, order=10)
    lifecycle.register_handler(lifecycle.MOVE_OUT, "registry.household", _vacate_head, order=10)
    lifecycle.register_handler(lifecycle.MOVE, "registry.household", _household_follows, order=10)
    lifecycle.register_check("registry.household_head", check_heads)
    lifecycle.register_check("registry.residence_area", check_grids)
