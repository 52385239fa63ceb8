"""Read models for the registry: search and filters shared by pages, API and exports."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from bianmin.core.scope import current_scope
from bianmin.registry.models import Household, LifeStatus, Organisation, Person, Tag


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_between(min_age: int | None, max_age: int | None, *, today: dt.date | None = None) -> Q:
    """People whose age is >= min_age and < max_age today: a filter on birth_date."""
    today = today or timezone.localdate()
    q = Q()
    if min_age is not None:
        q &= Q(birth_date__lte=years_before(today, min_age))
    if max_age is not None:
        q &= Q(birth_date__gt=years_before(today, max_age))
    return q


def visible_tags() -> QuerySet[Tag]:
    """Tags the acting user may see: restricted ones only within their department."""
    scope = current_scope.get()
    qs = Tag.objects.all()
    if scope is None or (scope.area_prefix == "" and scope.department_code is None):
        return qs  # system jobs and superusers
    return qs.filter(Q(restricted_to__isnull=True) | Q(restricted_to_id=scope.department_code))
    return qs


def tag_filter(tag: Tag) -> Q:
    if tag.derived:
        return age_between(tag.min_age, tag.max_age)
    return Q(tag_links__tag=tag)


def derived_tags_for(person: Person, tags: list[Tag]) -> list[Tag]:
    age = person.age
    return [
        t
        for t in tags
        if t.derived
        and (t.min_age is None or age >= t.min_age)
        and (t.max_age is None or age < t.max_age)
    ]


def search_people(
    *,
    text: str = "",
    grid: str = "",
    area: str = "",
    tag: Tag | None = None,
    life_status: str = "",
    residence_type: str = "",
) -> QuerySet[Person]:
    """Search within the current scope: name, pinyin initials, last digits of the ID, phone
    tail; narrowed by area code prefix, grid, tag, status."""
    qs = Person.objects.all()
    text = (text or "").strip()
    if text:
        if text.isdigit() or (text[:-1].isdigit() and text[-1:] in "xX"):
            if len(text) == 4:  # the whole 后四位: an equality the id_last4 index serves
                qs = qs.filter(id_last4=text.upper())
            elif len(text) < 4:
                qs = qs.filter(id_last4__endswith=text.upper())
            else:
                qs = qs.filter(phone__endswith=text) if len(text) <= 11 else qs.none()
        elif text.isascii() and text.isalpha():
            qs = qs.filter(name_initials__startswith=text.lower())
        else:
            qs = qs.filter(name__contains=text)
    if area:
        qs = qs.filter(area_code__startswith=area)
    if grid:
        qs = qs.filter(grid_id=grid)
    if tag is not None:
        qs = qs.filter(tag_filter(tag))
    if life_status:
        qs = qs.filter(life_status=life_status)
    if residence_type:
        qs = qs.filter(residence_type=residence_type)
    return qs.select_related("grid", "residence_division", "household")


def search_households(*, text: str = "", grid: str = "") -> QuerySet[Household]:
    """Households in scope by number (prefix), address, or the name of a member."""
    qs = Household.objects.all()
    text = (text or "").strip()
    if text:
        member = Person.unscoped.filter(household=OuterRef("pk"), name__contains=text)
        qs = qs.filter(Q(number__startswith=text) | Q(address__contains=text) | Exists(member))
    if grid:
        qs = qs.filter(grid_id=grid)
    return qs


def search_organisations(*, text: str = "", category: str = "") -> QuerySet[Organisation]:
    """Organisations in scope by name or unified social credit code (prefix)."""
    qs = Organisation.objects.all()
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(credit_code__startswith=text.upper()))
    if category:
        qs = qs.filter(org_category=category)
    return qs


def corrected_death(person: Person):
    """The death registered for a person now alive again (corrected at the window): what each
    register did then is what the clerk has to check and put back. None otherwise."""
    if person.life_status != LifeStatus.ALIVE:
        return None
    from bianmin.exchange.models import LifeEventRecord

    return LifeEventRecord.objects.filter(person=person, kind="death").first()
