"""Visits (跑动次数): every on-site trip of the applicant counts against the item's
最多跑一次 limit; `cases_over_max_visits` lists those beyond it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bianmin.cases.models import Case, EventAction, Visit
from bianmin.cases.services.common import (
    locked,
    moment,
    record_event,
    require_reason,
    require_staff,
    save,
)
from bianmin.core.audit import Actor
from bianmin.registry.models import OrgUnit


def visit_row(
    case: Case,
    *,
    actor: Actor,
    purpose: str,
    org_unit: OrgUnit | None,
    at: dt.datetime | None = None,
) -> Visit:
    """A Visit, not yet saved."""
    return Visit(
        case=case,
        at=at or timezone.now(),
        purpose=purpose,
        org_unit=org_unit,
        recorded_by_id=actor.user_id,
    )


def add_visit_row(
    case: Case,
    *,
    actor: Actor,
    purpose: str,
    org_unit: OrgUnit | None,
    at: dt.datetime | None = None,
) -> Visit:
    """The Visit row only, for a case saved with its `visit_count` already counted."""
    visit = visit_row(case, actor=actor, purpose=purpose, org_unit=org_unit, at=at)
    visit.save(force_insert=True)
    return visit


def record_visit_in(
    case: Case,
    *,
    actor: Actor,
    purpose: str,
    org_unit: OrgUnit | None,
    at: dt.datetime | None = None,
) -> Visit:
    """A visit inside a transition that already holds the case (intake, pick-up …)."""
    visit = add_visit_row(case, actor=actor, purpose=purpose, org_unit=org_unit, at=at)
    case.visit_count += 1
    save(case, "visit_count")
    return visit


@transaction.atomic
def record_visit(*, actor: Actor, case: Case, purpose: str, on: dt.date | None = None) -> Visit:
    """An on-site visit by the applicant that no other step recorded (asking, showing an
    original …): every trip counts against the item's 最多跑一次 limit. `on`: see
    `common.moment`."""
    _day, at = moment(on)
    case = locked(case)
    staff = require_staff(actor)
    purpose = require_reason(purpose, field="purpose")[:100]
    visit = record_visit_in(case, actor=actor, purpose=purpose, org_unit=staff.org_unit, at=at)
    record_event(
        case,
        actor=actor,
        action=EventAction.VISIT,
        from_status=case.status,
        reason=purpose,
        data={"visit_id": visit.pk, "visit_count": case.visit_count},
        at=at,
    )
    return visit
