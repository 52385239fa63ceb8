"""The applicant at the window, between the steps of one intake.

The ID number is typed (or read from the card) once, in a POST body; `identify_applicant`
finds the person and audits the read. From then on the intake refers to the applicant by the
record's id kept in the clerk's session — never by a number in a URL — for as long as the
applicant is at the counter (`TTL`), and "下一位" forgets it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from bianmin.cases.models import Case
from bianmin.cases.services.precheck import Applicant
from bianmin.catalog.queries import eligible_items, level_of
from bianmin.registry.models import Organisation, Person, Tag
from bianmin.registry.queries import derived_tags_for, visible_tags

SESSION_KEY = "counter_applicant"
TTL = dt.timedelta(hours=2)


def remember(request: HttpRequest, applicant: Applicant) -> None:
    kind = "person" if applicant.person is not None else "org"
    record = applicant.person if applicant.person is not None else applicant.organisation
    request.session[SESSION_KEY] = {
        "kind": kind,
        "pk": record.pk,
        "at": timezone.now().isoformat(),
    }


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def current(request: HttpRequest) -> Applicant | None:
    """The applicant identified at this counter, or None (none yet, or too long ago)."""
    entry = request.session.get(SESSION_KEY)
    if not entry:
        return None
    try:
        since = dt.datetime.fromisoformat(entry["at"])
    except (KeyError, TypeError, ValueError):
        forget(request)
        return None
    if timezone.now() - since > TTL:
        forget(request)
        return None
    # Unscoped on purpose: any centre serves any resident (全域通办); the applicant presented
    # the card at this counter and that read was audited by `identify_applicant`.
    if entry.get("kind") == "person":
        person = (
            Person.unscoped.select_related("residence_division", "grid")
            .filter(pk=entry.get("pk"))
            .first()
        )
        return Applicant(person=person) if person else None
    org = (
        Organisation.unscoped.select_related("legal_rep", "division")
        .filter(pk=entry.get("pk"))
        .first()
    )
    return Applicant(organisation=org) if org else None


@dataclass
class Panel:
    """Step 2: what the clerk sees of the applicant."""

    applicant: Applicant
    tags: list[str] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    suggested: list[Any] = field(default_factory=list)


CASES_SHOWN = 12


def panel(applicant: Applicant, *, org_unit, today: dt.date) -> Panel:
    """Tags the clerk may see, the applicant's cases within the clerk's scope (open first),
    and the items of this counter's level the person is likely eligible for."""
    result = Panel(applicant)
    if applicant.person is not None:
        person = applicant.person
        tags: list[Tag] = list(visible_tags())
        stored = set(person.tag_links.values_list("tag_id", flat=True))
        result.tags = [t.name for t in derived_tags_for(person, tags)] + [
            t.name for t in tags if not t.derived and t.code in stored
        ]
        cases = Case.objects.filter(applicant_person=person)
        if org_unit is not None:
            level = level_of(org_unit)
            # Only items aimed at people like this one (an age or a key-population tag they
            # meet): items open to everyone are in the list below anyway.
            result.suggested = list(
                eligible_items(person, today=today)
                .filter(accept_levels__icontains=f'"{level}"')
                .filter(Q(eligible_min_age__isnull=False) | Q(eligible_tags__isnull=False))
                .distinct()
                .order_by("department_id", "code")[:12]
            )
    else:
        cases = Case.objects.filter(applicant_org=applicant.organisation)
    result.cases = list(
        cases.select_related("item").order_by("-submitted_at", "-id")[: CASES_SHOWN * 2]
    )
    # Open cases first, each group newest first.
    result.cases.sort(key=lambda c: not c.is_open)
    result.cases = result.cases[:CASES_SHOWN]
    return result
