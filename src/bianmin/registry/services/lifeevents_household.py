"""The household side of a life event: who of the family is told of a death, and the new
head after the head died or moved out (户主变更). See lifeevents.py."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditAction
from bianmin.exchange.models import HeadVacancy, LifeEventRecord
from bianmin.exchange.texts import error
from bianmin.notifications.services import queue_message
from bianmin.registry.models import Household, LifeStatus, Person, Relationship

ADULT_AGE = 18
# Who hears of a death first: spouse, then the head, children, parents, then anyone else.
_CONTACT_ORDER = ["10", "02", "20", "30", "50", "70", "40", "60", "80", "99", ""]


def family_contact(person: Person) -> Person | None:
    """Another living adult of the household with a mobile: spouse first (see _CONTACT_ORDER),
    the eldest within a relationship."""
    if person.household_id is None:
        return None
    today = timezone.localdate()
    candidates = [
        p
        for p in Person.unscoped.filter(
            household_id=person.household_id, life_status=LifeStatus.ALIVE
        )
        .exclude(pk=person.pk)
        .exclude(phone="")
        if p.age_on(today) >= ADULT_AGE
    ]
    ranked = sorted(
        candidates,
        key=lambda p: (
            _CONTACT_ORDER.index(p.relationship) if p.relationship in _CONTACT_ORDER else 99,
            p.birth_date,
        ),
    )
    return ranked[0] if ranked else None


def _notify_family(record: LifeEventRecord, person: Person) -> None:
    contact = family_contact(person)
    if contact is None:
        return
    # Stored text, like a case's messages: the SMS goes out in Chinese. No ID number in it.
    body = (
        f"【便民服务】{contact.name}您好：我们已收到{person.name}于"
        f"{record.occurred_on:%Y年%m月%d日}去世的信息（来源：{record.source}），"
        "其在办事项、服务与待遇已按规定办理终止或停发。如信息有误，请与所在社区联系。"
    )
    queue_message(
        dedupe_key=f"life_event:{record.pk}:family",
        body=body,
        recipient_person=contact,
        subject="人员变动告知",
        related_type="life_event",
        related_id=record.pk,
    )
    record.family_notified = contact
    record.save(update_fields=["family_notified"])


@transaction.atomic
def appoint_head(
    *, actor: Actor, household: Household, person: Person, on: dt.date | None = None
) -> HeadVacancy:
    """户主变更 after the head died or moved out: `person` (a living member) becomes the head and
    the vacancy is filled. The former head's row keeps its relationship as history."""
    household = Household.objects.select_for_update().filter(pk=household.pk).first()
    if household is None:
        raise OutOfScope()
    vacancy = (
        HeadVacancy.objects.select_for_update()
        .filter(household=household, filled_by__isnull=True)
        .first()
    )
    if vacancy is None:
        raise error("no_vacancy")
    person = Person.unscoped.select_for_update().filter(pk=person.pk).first()
    if person is None or person.household_id != household.pk:
        raise error("not_a_member", field="person")
    if person.life_status != LifeStatus.ALIVE:
        raise error("not_alive", field="person")
    old_relationship = person.relationship
    person.relationship = Relationship.HEAD
    person.save(update_fields=["relationship", "updated_at"])
    vacancy.filled_by, vacancy.filled_on = person, on or timezone.localdate()
    vacancy.save(update_fields=["filled_by", "filled_on"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="household",
        object_id=household.pk,
        object_label=household.number,
        changes={"new_head": person.id_masked, "relationship": [old_relationship, "02"]},
    )
    return vacancy
