"""Life events in the registry: a death, a move, a move-out, told once; the household."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bianmin.core import lifecycle
from bianmin.exchange.models import HeadVacancy, LifeEventRecord
from bianmin.notifications.models import OutboxMessage
from bianmin.registry.models import Household, LifeStatus, Person
from bianmin.registry.services import lifeevents
from bianmin.registry.services.people import set_life_status
from tests import factories
from tests.conftest import BAOCHENG, TAINING
from tests.exchange.helpers import ACTOR, family

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def test_death_of_head_marks_person_vacates_head_and_tells_spouse():
    fam = family()
    told = lifeevents.record_death(
        actor=ACTOR, person=fam.head, died_on=YESTERDAY, source="公安推送", reference="SW001"
    )
    head = Person.unscoped.get(pk=fam.head.pk)
    assert (head.life_status, head.status_date, head.status_source) == (
        LifeStatus.DECEASED,
        YESTERDAY,
        "公安推送",
    )
    assert not told.already
    handlers = [o["handler"] for o in told.record.outcomes]
    assert "registry.household" in handlers
    vacancy = HeadVacancy.objects.get(household=fam.household)
    assert vacancy.former_head_id == head.pk and vacancy.filled_by is None
    # The spouse (an adult with a mobile) hears of it, not the child.
    assert told.record.family_notified_id == fam.spouse.pk
    message = OutboxMessage.objects.get(dedupe_key=f"life_event:{told.record.pk}:family")
    assert message.recipient_address == "13900001111"
    assert "刘建华" in message.body and head.id_masked not in message.body
    assert lifecycle.run_checks() == []


def test_same_death_told_twice_records_once_and_says_so():
    fam = family()
    first = lifeevents.record_death(
        actor=ACTOR, person=fam.spouse, died_on=YESTERDAY, source="公安推送"
    )
    again = lifeevents.record_death(
        actor=ACTOR, person=fam.spouse, died_on=YESTERDAY, source="卫健推送"
    )
    assert again.already and again.record.pk == first.record.pk
    assert LifeEventRecord.objects.filter(person=fam.spouse).count() == 1
    assert [c["source"] for c in again.record.confirmations] == ["卫健推送"]
    assert OutboxMessage.objects.filter(related_type="life_event").count() == 1


def test_a_death_told_with_another_date_is_refused_as_a_conflict():
    fam = family()
    lifeevents.record_death(actor=ACTOR, person=fam.spouse, died_on=YESTERDAY, source="公安推送")
    with pytest.raises(ValidationError) as caught:
        lifeevents.record_death(
            actor=ACTOR, person=fam.spouse, died_on=YESTERDAY - dt.timedelta(days=3), source="x"
        )
    assert caught.value.error_dict["date"][0].code == "death_date_conflict"


@pytest.mark.parametrize(
    ("day", "source", "code"),
    [
        (timezone.localdate() + dt.timedelta(days=1), "公安", "future_date"),
        (dt.date(1949, 1, 1), "公安", "before_birth"),
        (YESTERDAY, "  ", "source_required"),
    ],
)
def test_bad_death_notices_change_nothing(day, source, code):
    fam = family()
    with pytest.raises(ValidationError) as caught:
        lifeevents.record_death(actor=ACTOR, person=fam.head, died_on=day, source=source)
    assert code in {e.code for errs in caught.value.error_dict.values() for e in errs}
    assert Person.unscoped.get(pk=fam.head.pk).life_status == LifeStatus.ALIVE
    assert not LifeEventRecord.objects.exists()


def test_a_handler_that_raises_rolls_back_the_whole_event():
    fam = family()

    def broken(event, actor):
        raise RuntimeError("register down")

    lifecycle.register_handler(lifecycle.DEATH, "zz.broken", broken, order=999)
    try:
        with pytest.raises(RuntimeError):
            lifeevents.record_death(actor=ACTOR, person=fam.head, died_on=YESTERDAY, source="公安")
    finally:
        lifecycle.unregister_handler(lifecycle.DEATH, "zz.broken")
    assert Person.unscoped.get(pk=fam.head.pk).life_status == LifeStatus.ALIVE
    assert not LifeEventRecord.objects.exists()
    assert not HeadVacancy.objects.exists()
    assert not OutboxMessage.objects.filter(related_type="life_event").exists()


def test_window_status_change_goes_through_the_life_event():
    fam = family()
    set_life_status(
        actor=ACTOR, person=fam.head, status=LifeStatus.DECEASED, date=YESTERDAY, source="窗口登记"
    )
    assert LifeEventRecord.objects.filter(person=fam.head, kind="death").exists()
    assert HeadVacancy.objects.filter(household=fam.household).exists()


def test_appoint_head_fills_the_vacancy():
    fam = family()
    lifeevents.record_death(actor=ACTOR, person=fam.head, died_on=YESTERDAY, source="公安")
    with pytest.raises(ValidationError):
        lifeevents.appoint_head(actor=ACTOR, household=fam.household, person=fam.head)
    vacancy = lifeevents.appoint_head(actor=ACTOR, household=fam.household, person=fam.spouse)
    assert vacancy.filled_by_id == fam.spouse.pk
    assert Person.unscoped.get(pk=fam.spouse.pk).relationship == "02"
    assert lifecycle.run_checks() == []


def test_last_member_dying_leaves_no_vacancy():
    fam = family()
    for p in (fam.child, fam.spouse, fam.head):
        lifeevents.record_death(actor=ACTOR, person=p, died_on=YESTERDAY, source="公安")
    assert not HeadVacancy.objects.exists()
    assert lifecycle.run_checks() == []


def test_move_updates_grid_area_and_the_household_follows_its_head():
    fam = family()
    new_grid = factories.grid(BAOCHENG, 2)
    for p in (fam.spouse, fam.child, fam.head):
        told = lifeevents.record_move(
            actor=ACTOR, person=p, moved_on=YESTERDAY, source="公安推送", grid=new_grid.code
        )
    head = Person.unscoped.get(pk=fam.head.pk)
    assert (head.grid_id, head.area_code) == (new_grid.code, new_grid.code)
    household = Household.unscoped.get(pk=fam.household.pk)
    assert (household.grid_id, household.area_code) == (new_grid.code, new_grid.code)
    assert told.record.data["to"]["grid"] == new_grid.code
    assert lifecycle.run_checks() == []


def test_move_to_another_community_and_unknown_grid():
    fam = family()
    other = factories.grid(TAINING, 1)
    lifeevents.record_move(
        actor=ACTOR,
        person=fam.child,
        moved_on=YESTERDAY,
        source="公安",
        grid=other.code,
        address="泰宁街5号",
    )
    child = Person.unscoped.get(pk=fam.child.pk)
    assert (child.residence_division_id, child.residence_address) == (TAINING, "泰宁街5号")
    with pytest.raises(ValidationError) as caught:
        lifeevents.record_move(
            actor=ACTOR, person=fam.child, moved_on=YESTERDAY, source="公安", grid="42010200200399"
        )
    assert "grid" in caught.value.error_dict
    again = lifeevents.record_move(
        actor=ACTOR, person=fam.child, moved_on=YESTERDAY, source="民政", grid=other.code
    )
    assert again.already


def test_a_deceased_person_cannot_move_and_move_out_vacates_head():
    fam = family()
    lifeevents.record_move_out(actor=ACTOR, person=fam.head, moved_on=YESTERDAY, source="公安")
    assert Person.unscoped.get(pk=fam.head.pk).life_status == LifeStatus.MOVED_OUT
    assert HeadVacancy.objects.filter(household=fam.household).exists()
    lifeevents.record_death(actor=ACTOR, person=fam.spouse, died_on=YESTERDAY, source="公安")
    with pytest.raises(ValidationError) as caught:
        lifeevents.record_move(
            actor=ACTOR, person=fam.spouse, moved_on=YESTERDAY, source="公安", address="某地"
        )
    assert caught.value.code == "person_deceased"
    assert lifecycle.run_checks() == []


def test_head_check_lists_a_dead_head_without_vacancy():
    fam = family()
    Person.unscoped.filter(pk=fam.head.pk).update(life_status=LifeStatus.DECEASED)
    found = lifecycle.run_checks(only=["registry.household_head"])
    assert [(c.model, c.pk, c.person_id) for c in found] == [
        ("registry.Household", fam.household.pk, fam.head.pk)
    ]


def test_a_death_corrected_back_to_alive_and_told_again_applies_again():
    fam = family()
    lifeevents.record_death(actor=ACTOR, person=fam.child, died_on=YESTERDAY, source="公安推送")
    set_life_status(
        actor=ACTOR, person=fam.child, status=LifeStatus.ALIVE, date=YESTERDAY, source="更正"
    )
    again = lifeevents.record_death(
        actor=ACTOR, person=fam.child, died_on=YESTERDAY, source="卫健推送"
    )
    assert not again.already
    assert Person.unscoped.get(pk=fam.child.pk).life_status == LifeStatus.DECEASED
    assert LifeEventRecord.objects.filter(person=fam.child).count() == 1
    assert "reopened" in again.record.confirmations[0]


def test_a_grid_changed_at_the_window_is_a_move_the_registers_follow():
    from bianmin.registry.services.people import update_person

    fam = family()
    seen = []
    lifecycle.register_handler(
        lifecycle.MOVE, "zz.seen", lambda event, actor: seen.append(event.data["to"]) or "ok"
    )
    try:
        update_person(actor=ACTOR, person=fam.child, grid=factories.grid(BAOCHENG, 3).code)
        update_person(actor=ACTOR, person=fam.child, residence_address="胜利街12号")
    finally:
        lifecycle.unregister_handler(lifecycle.MOVE, "zz.seen")
    assert [s["grid"] for s in seen] == [f"{BAOCHENG}03"]  # an address alone: no new area
    record = LifeEventRecord.objects.get(person=fam.child, kind="move")
    assert record.source == "窗口登记" and record.data["from"]["grid"] == f"{BAOCHENG}01"
    assert lifecycle.run_checks() == []
