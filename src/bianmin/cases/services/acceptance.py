"""Acceptance decisions on waiting cases (受理 / 容缺受理 / 补正 / 不予受理), resubmission
and pledge fulfilment. The transitions themselves are built in `outcomes` (shared with intake
and bundles)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import (
    Case,
    CaseStatus,
    DeficiencyPledge,
    EventAction,
    IntakeChannel,
    ReviewStatus,
)
from bianmin.cases.services import messages
from bianmin.cases.services.clock import end_pause
from bianmin.cases.services.common import (
    locked,
    locked_for_applicant,
    moment,
    record_event,
    refuse_single_member,
    require_reason,
    require_staff,
    require_status,
    save,
    staff_of,
)
from bianmin.cases.services.outcomes import (  # noqa: F401 — their home before outcomes.py
    accept_checked,
    file_materials,
    finish_acceptance,
    finish_return,
    on_file,
    prepare_acceptance,
    prepare_return,
    recheck,
    return_checked,
)
from bianmin.cases.services.pledges import PledgeInput, validate_pledge
from bianmin.cases.services.precheck import Precheck, Provided, normalise_provided
from bianmin.cases.services.rules import INTAKE_ROLES, channel_of, check_acceptable_here, item_of
from bianmin.cases.services.visits import record_visit_in
from bianmin.core.audit import Actor
from bianmin.registry.models import Staff

# --- cases waiting for a clerk --------------------------------------------------------------


def _clerk_for(actor: Actor, case: Case) -> Staff:
    staff = require_staff(actor, roles=INTAKE_ROLES)
    check_acceptable_here(item_of(case), staff, channel_of(staff), filed=True)
    return staff


@transaction.atomic
def accept(
    *,
    actor: Actor,
    case: Case,
    pledge: PledgeInput | None = None,
    applicable: Iterable[str] = (),
    on: dt.date | None = None,
) -> Case:
    """受理 a waiting case (online application, or one whose supplement came in), after the
    clerk's precheck of the materials on file. `on`: see `common.moment`."""
    day, at = moment(on)
    case = locked(case)
    refuse_single_member(case)
    require_status(case, [CaseStatus.SUBMITTED], _("受理"))
    staff = _clerk_for(actor, case)
    checked = recheck(case, applicable=applicable, day=day, actor=actor, at=at)
    if pledge is not None:
        validate_pledge(checked, pledge, day=day)
    accept_checked(case, checked, actor=actor, staff=staff, pledge=pledge, notify=True, on=at)
    return case


@transaction.atomic
def return_for_supplement(
    *,
    actor: Actor,
    case: Case,
    reason: str = "",
    applicable: Iterable[str] = (),
    on: dt.date | None = None,
) -> Precheck:
    """补正: tell the applicant everything missing at once; the clock stops until resubmit.
    Returns the precheck whose `notice()` is the printable one-time notice. `on`: see
    `common.moment`."""
    day, at = moment(on)
    case = locked(case)
    refuse_single_member(case)
    require_status(case, [CaseStatus.SUBMITTED], _("告知补正"))
    _clerk_for(actor, case)
    checked = recheck(case, applicable=applicable, day=day, actor=actor, at=at)
    return_checked(case, checked, actor=actor, reason=(reason or "").strip(), notify=True, on=at)
    return checked


@transaction.atomic
def refuse_acceptance(*, actor: Actor, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """不予受理 (with the reason, e.g. not this authority's matter). `on`: see
    `common.moment`."""
    day, at = moment(on)
    case = locked(case)
    require_status(case, [CaseStatus.SUBMITTED, CaseStatus.RETURNED], _("不予受理"))
    if case.accepted_at is not None:
        raise ValidationError(_("办件已受理，请作出不予批准的决定。"), code="invalid_transition")
    refuse_single_member(case)  # a bundle's item: `bundle_acts.refuse_bundle`
    _clerk_for(actor, case)
    reason = require_reason(reason)
    from_status = case.status
    end_pause(case, ended_on=day)
    case.status = CaseStatus.NOT_ACCEPTED
    case.closed_at, case.closed_on = at, day
    save(case, "status", "paused_since", "closed_at", "closed_on")
    record_event(
        case,
        actor=actor,
        action=EventAction.NOT_ACCEPTED,
        from_status=from_status,
        reason=reason,
        message=messages.not_accepted(case, reason),
        at=at,
    )
    return case


@transaction.atomic
def resubmit(
    *,
    actor: Actor,
    case: Case,
    provided: Iterable[str | Mapping[str, Any] | Provided],
    channel: str = IntakeChannel.WINDOW,
    person=None,
    on: dt.date | None = None,
) -> Precheck:
    """补正材料 received: the clock restarts (the due date moves by the paused working days).
    Before acceptance the case waits for acceptance again; after it, the returning reviews
    reopen. `channel` window records the applicant's visit; `channel` online without a staff
    account is the applicant on the portal (`person` as the portal identified them).
    `on`: see `common.moment`."""
    day, at = moment(on)
    by_applicant = channel == IntakeChannel.ONLINE and staff_of(actor) is None
    case = locked_for_applicant(case, actor=actor, person=person) if by_applicant else locked(case)
    refuse_single_member(case)
    require_status(case, [CaseStatus.RETURNED], _("接收补正材料"))
    staff = None if by_applicant else require_staff(actor)
    given = normalise_provided(provided)
    checked = recheck(case, extra=given, day=day, actor=actor, at=at)
    file_materials(
        case, checked, only={p.code for p in given} | {c.code for c in checked.shared}, at=at
    )
    due_before = case.due_date
    pause = end_pause(case, ended_on=day)
    from_status = case.status
    if case.accepted_at is None:
        case.status = CaseStatus.SUBMITTED
    else:
        case.status = CaseStatus.IN_REVIEW
        case.reviews.filter(status=ReviewStatus.RETURNED).update(
            status=ReviewStatus.OPEN, opened_at=at
        )
    save(case, "status", "paused_since", "paused_workdays", "due_date", "due_provisional")
    if channel == IntakeChannel.WINDOW:
        record_visit_in(
            case, actor=actor, purpose=str(_("补正材料")), org_unit=staff.org_unit, at=at
        )
    record_event(
        case,
        actor=actor,
        action=EventAction.RESUBMITTED,
        from_status=from_status,
        data={
            "materials": [p.code for p in given],
            "paused_workdays": pause.workdays if pause else 0,
            "due_before": due_before.isoformat() if due_before else None,
            "due_after": case.due_date.isoformat() if case.due_date else None,
            "still_missing": [c.as_dict() for c in checked.missing],
        },
        message=messages.resubmitted(case),
        at=at,
    )
    return checked


@transaction.atomic
def fulfil_pledge(
    *,
    actor: Actor,
    case: Case,
    provided: Iterable[str | Mapping[str, Any] | Provided],
    channel: str = IntakeChannel.WINDOW,
    on: dt.date | None = None,
) -> DeficiencyPledge:
    """容缺材料 brought in: filed; the pledge is fulfilled once every listed one is in. `on`:
    see `common.moment`."""
    day, at = moment(on)
    case = locked(case)
    staff = require_staff(actor)
    pledge = DeficiencyPledge.objects.select_for_update().filter(case=case).first()
    if pledge is None or pledge.fulfilled_at is not None:
        raise ValidationError(_("该办件没有待履行的容缺承诺。"), code="no_open_pledge")
    given = normalise_provided(provided)
    checked = recheck(case, extra=given, day=day)
    file_materials(case, checked, only={p.code for p in given}, at=at)
    if channel == IntakeChannel.WINDOW:
        record_visit_in(
            case, actor=actor, purpose=str(_("补交容缺材料")), org_unit=staff.org_unit, at=at
        )
    filed = set(case.materials.values_list("code", flat=True))
    if all(m["code"] in filed for m in pledge.materials):
        pledge.fulfilled_at = at
        pledge.save(update_fields=["fulfilled_at"])
        record_event(
            case,
            actor=actor,
            action=EventAction.PLEDGE_FULFILLED,
            from_status=case.status,
            data={"materials": [m["code"] for m in pledge.materials]},
            message=messages.pledge_fulfilled(case),
            at=at,
        )
    return pledge
