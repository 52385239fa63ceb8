"""Visits (跑动次数): every on-site trip of the applicant counts against the item's
最多跑一次 limit; `cases_over_max_visits` lists those beyond it."""

from __future__ import annotations

from django.db import transaction

from bianmin.cases.models import Case, EventAction, Visit
from bianmin.cases.services.common import (
    locked,
    record_event,
    require_reason,
    require_staff,
    save,
)
from bianmin.core.audit import Actor
from bianmin.registry.models import OrgUnit


def add_visit_row(case: Case, *, actor: Actor, purpose: str, org_unit: OrgUnit | None) -> Visit:
    """The Visit row only, for a case saved with its `visit_count` already counted."""
    return Visit.objects.create(
        case=case, purpose=purpose, org_unit=org_unit, recorded_by_id=actor.user_id
    )


def record_visit_in(case: Case, *, actor: Actor, purpose: str, org_unit: OrgUnit | None) -> Visit:
    """A visit inside a transition that already holds the case (intake, pick-up …)."""
    visit = add_visit_row(case, actor=actor, purpose=purpose, org_unit=org_unit)
    case.visit_count += 1
    save(case, "visit_count")
    return visit


@transaction.atomic
def record_visit(*, actor: Actor, case: Case, purpose: str) -> Visit:
    """An on-site visit by the applicant that no other step recorded (asking, showing an
    original …): every trip counts against the item's 最多跑一次 limit."""
    case = locked(case)
    staff = require_staff(actor)
    purpose = require_reason(purpose, field="purpose")[:100]
    visit = record_visit_in(case, actor=actor, purpose=purpose, org_unit=staff.org_unit)
    record_event(
        case,
        actor=actor,
        action=EventAction.VISIT,
        from_status=case.status,
        reason=purpose,
        data={"visit_id": visit.pk, "visit_count": case.visit_count},
    )
    return visit
