"""Acceptance decisions (受理 / 容缺受理 / 补正 / 不予受理), resubmission and pledges.

`accept_checked` and `return_checked` are the single place these transitions are written;
intake (new applications) and the services below (cases waiting as `submitted` or
`returned`) both go through them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    DeficiencyPledge,
    EventAction,
    IntakeChannel,
    MaterialSource,
    PauseKind,
    ReviewStatus,
)
from bianmin.cases.services import messages
from bianmin.cases.services.common import (
    locked,
    locked_for_applicant,
    record_event,
    require_reason,
    require_staff,
    require_status,
    save,
    staff_of,
    today,
)
from bianmin.cases.services.deadlines import end_pause, refresh_due, start_pause
from bianmin.cases.services.handling import create_reviews, review_steps
from bianmin.cases.services.pledges import PledgeInput, validate_pledge
from bianmin.cases.services.precheck import (
    Outcome,
    Precheck,
    Provided,
    normalise_provided,
    precheck,
)
from bianmin.cases.services.rules import (
    INTAKE_ROLES,
    applicant_of,
    channel_of,
    check_acceptable_here,
    item_of,
)
from bianmin.cases.services.visits import record_visit_in
from bianmin.core.audit import Actor
from bianmin.registry.models import Staff

# --- materials on file ----------------------------------------------------------------------


def file_materials(case: Case, checked: Precheck, *, only: set[str] | None = None) -> None:
    """Put on file what was handed in and what shared data will supply."""
    now = timezone.now()
    rows = [
        CaseMaterial(
            case=case,
            material_id=c.material_id,
            code=c.code,
            name=c.name,
            source=MaterialSource.SUBMITTED
            if c.outcome == Outcome.SUBMITTED
            else MaterialSource.SHARED,
            form=c.provided_form,
            received_at=now,
        )
        for c in checked.checks
        if c.outcome in (Outcome.SUBMITTED, Outcome.SHARED) and (only is None or c.code in only)
    ]
    if rows:
        CaseMaterial.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["case", "code"],
            update_fields=["source", "form", "received_at"],
        )


def on_file(case: Case) -> list[Provided]:
    return [
        Provided(code, form)
        for code, form in case.materials.filter(source=MaterialSource.SUBMITTED).values_list(
            "code", "form"
        )
    ]


def _recheck(case: Case, extra: list[Provided] = (), applicable: Iterable[str] = ()) -> Precheck:
    given = {p.code: p for p in on_file(case)}
    given.update({p.code: p for p in extra})
    return precheck(
        item=item_of(case),
        applicant=applicant_of(case),
        provided=given.values(),
        channel=case.channel,
        applicable=applicable,
    )


# --- the two outcomes of a precheck ---------------------------------------------------------


def prepare_acceptance(
    case: Case, checked: Precheck, *, staff: Staff | None, pledge: PledgeInput | None
) -> None:
    """Check that the case can be accepted and set its acceptance fields (nothing written:
    intake inserts the case once, already accepted)."""
    if checked.problems:
        raise ValidationError("；".join(checked.problems), code="applicant_not_eligible")
    if checked.missing and pledge is None:
        raise ValidationError(
            _("材料不齐全，不能受理（缺少：%(names)s）。请一次性告知申请人补正，或按容缺受理。"),
            code="materials_missing",
            params={"names": "、".join(c.name for c in checked.missing)},
        )
    case.accepted_at, case.accepted_on = timezone.now(), today()
    if staff is not None and case.org_unit_id is None:
        # An online application belongs to the centre that accepted it from now on.
        case.org_unit, case.area_code = staff.org_unit, staff.org_unit.division.prefix
    case.promised_days = checked.item.promised_limit_days
    refresh_due(case)
    has_reviews = bool(review_steps(checked.item))
    case.status = CaseStatus.IN_REVIEW if has_reviews else CaseStatus.ACCEPTED


def finish_acceptance(
    case: Case,
    checked: Precheck,
    *,
    actor: Actor,
    pledge: PledgeInput | None,
    from_status: str,
    notify: bool,
) -> None:
    """The rows an accepted (and saved) case needs: reviews, the pledge, the event."""
    create_reviews(case, checked.item)
    pledge_row = None
    if pledge is not None and checked.missing:
        pledge_row = DeficiencyPledge.objects.create(
            case=case,
            materials=[{"code": c.code, "name": c.name} for c in checked.missing],
            due_date=pledge.due_date,
        )
    pledged = [m["name"] for m in pledge_row.materials] if pledge_row else None
    record_event(
        case,
        actor=actor,
        action=EventAction.ACCEPTED,
        from_status=from_status,
        data={
            "due_date": case.due_date.isoformat(),
            "due_provisional": case.due_provisional,
            "promised_days": case.promised_days,
            "pledge": pledge_row.materials if pledge_row else None,
            "pledge_due": pledge_row.due_date.isoformat() if pledge_row else None,
        },
        message=messages.accepted(
            case, pledged=pledged, pledge_due=pledge_row.due_date if pledge_row else None
        )
        if notify
        else None,
    )


def accept_checked(
    case: Case,
    checked: Precheck,
    *,
    actor: Actor,
    staff: Staff | None,
    pledge: PledgeInput | None,
    notify: bool,
) -> None:
    """受理 a saved case whose materials were just checked."""
    from_status = case.status
    prepare_acceptance(case, checked, staff=staff, pledge=pledge)
    case.save()
    finish_acceptance(
        case, checked, actor=actor, pledge=pledge, from_status=from_status, notify=notify
    )


def prepare_return(case: Case, checked: Precheck, *, reason: str) -> None:
    if not checked.missing and not reason:
        raise ValidationError(
            _("材料齐全，无需补正；如需补正其他内容，请填写理由。"), code="nothing_to_supplement"
        )
    case.status = CaseStatus.RETURNED
    case.paused_since = today()


def finish_return(
    case: Case, checked: Precheck, *, actor: Actor, reason: str, from_status: str, notify: bool
) -> None:
    """The clock stops (a pause row) and the one-time notice goes out, for a saved case."""
    start_pause(case, actor=actor, kind=PauseKind.SUPPLEMENT, started_on=today(), reason=reason)
    names = [c.name for c in checked.missing]
    record_event(
        case,
        actor=actor,
        action=EventAction.RETURNED,
        from_status=from_status,
        reason=reason,
        data={"notice": checked.notice()},
        message=messages.returned(case, names or [reason]) if notify else None,
    )


def return_checked(
    case: Case, checked: Precheck, *, actor: Actor, reason: str, notify: bool
) -> None:
    """补正 for a saved case whose materials were just checked."""
    from_status = case.status
    prepare_return(case, checked, reason=reason)
    save(case, "status", "paused_since")
    finish_return(case, checked, actor=actor, reason=reason, from_status=from_status, notify=notify)


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
) -> Case:
    """受理 a waiting case (online application, or one whose supplement came in), after the
    clerk's precheck of the materials on file."""
    case = locked(case)
    require_status(case, [CaseStatus.SUBMITTED], _("受理"))
    staff = _clerk_for(actor, case)
    checked = _recheck(case, applicable=applicable)
    if pledge is not None:
        validate_pledge(checked, pledge)
    accept_checked(case, checked, actor=actor, staff=staff, pledge=pledge, notify=True)
    return case


@transaction.atomic
def return_for_supplement(
    *, actor: Actor, case: Case, reason: str = "", applicable: Iterable[str] = ()
) -> Precheck:
    """补正: tell the applicant everything missing at once; the clock stops until resubmit.
    Returns the precheck whose `notice()` is the printable one-time notice."""
    case = locked(case)
    require_status(case, [CaseStatus.SUBMITTED], _("告知补正"))
    _clerk_for(actor, case)
    checked = _recheck(case, applicable=applicable)
    return_checked(case, checked, actor=actor, reason=(reason or "").strip(), notify=True)
    return checked


@transaction.atomic
def refuse_acceptance(*, actor: Actor, case: Case, reason: str) -> Case:
    """不予受理 (with the reason, e.g. not this authority's matter)."""
    case = locked(case)
    require_status(case, [CaseStatus.SUBMITTED, CaseStatus.RETURNED], _("不予受理"))
    if case.accepted_at is not None:
        raise ValidationError(_("办件已受理，请作出不予批准的决定。"), code="invalid_transition")
    _clerk_for(actor, case)
    reason = require_reason(reason)
    from_status = case.status
    end_pause(case, ended_on=today())
    case.status = CaseStatus.NOT_ACCEPTED
    case.closed_at, case.closed_on = timezone.now(), today()
    save(case, "status", "paused_since", "closed_at", "closed_on")
    record_event(
        case,
        actor=actor,
        action=EventAction.NOT_ACCEPTED,
        from_status=from_status,
        reason=reason,
        message=messages.not_accepted(case, reason),
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
) -> Precheck:
    """补正材料 received: the clock restarts (the due date moves by the paused working days).
    Before acceptance the case waits for acceptance again; after it, the returning reviews
    reopen. `channel` window records the applicant's visit; `channel` online without a staff
    account is the applicant on the portal (`person` as the portal identified them)."""
    by_applicant = channel == IntakeChannel.ONLINE and staff_of(actor) is None
    case = locked_for_applicant(case, actor=actor, person=person) if by_applicant else locked(case)
    require_status(case, [CaseStatus.RETURNED], _("接收补正材料"))
    staff = None if by_applicant else require_staff(actor)
    given = normalise_provided(provided)
    checked = _recheck(case, extra=given)
    file_materials(case, checked, only={p.code for p in given} | {c.code for c in checked.shared})
    due_before = case.due_date
    pause = end_pause(case, ended_on=today())
    from_status = case.status
    if case.accepted_at is None:
        case.status = CaseStatus.SUBMITTED
    else:
        case.status = CaseStatus.IN_REVIEW
        case.reviews.filter(status=ReviewStatus.RETURNED).update(
            status=ReviewStatus.OPEN, opened_at=timezone.now()
        )
    save(case, "status", "paused_since", "paused_workdays", "due_date", "due_provisional")
    if channel == IntakeChannel.WINDOW:
        record_visit_in(case, actor=actor, purpose=str(_("补正材料")), org_unit=staff.org_unit)
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
    )
    return checked


@transaction.atomic
def fulfil_pledge(
    *,
    actor: Actor,
    case: Case,
    provided: Iterable[str | Mapping[str, Any] | Provided],
    channel: str = IntakeChannel.WINDOW,
) -> DeficiencyPledge:
    """容缺材料 brought in: filed; the pledge is fulfilled once every listed one is in."""
    case = locked(case)
    staff = require_staff(actor)
    pledge = DeficiencyPledge.objects.select_for_update().filter(case=case).first()
    if pledge is None or pledge.fulfilled_at is not None:
        raise ValidationError(_("该办件没有待履行的容缺承诺。"), code="no_open_pledge")
    given = normalise_provided(provided)
    checked = _recheck(case, extra=given)
    file_materials(case, checked, only={p.code for p in given})
    if channel == IntakeChannel.WINDOW:
        record_visit_in(case, actor=actor, purpose=str(_("补交容缺材料")), org_unit=staff.org_unit)
    filed = set(case.materials.values_list("code", flat=True))
    if all(m["code"] in filed for m in pledge.materials):
        pledge.fulfilled_at = timezone.now()
        pledge.save(update_fields=["fulfilled_at"])
        record_event(
            case,
            actor=actor,
            action=EventAction.PLEDGE_FULFILLED,
            from_status=case.status,
            data={"materials": [m["code"] for m in pledge.materials]},
            message=messages.pledge_fulfilled(case),
        )
    return pledge
