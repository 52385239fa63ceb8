"""The two outcomes of a precheck — 受理 (with or without a 容缺 pledge) and 补正 — and the
materials on file. Intake (new applications, written in one statement by `writer`), the
acceptance services (cases waiting as `submitted`) and bundles all go through these, so each
transition is built in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    DeficiencyPledge,
    EventAction,
    MaterialSource,
    PauseKind,
)
from bianmin.cases.services import fetching, messages
from bianmin.cases.services.clock import pause_row, refresh_due
from bianmin.cases.services.common import announce, moment, new_event, save
from bianmin.cases.services.handling import review_rows, review_steps
from bianmin.cases.services.pledges import PledgeInput
from bianmin.cases.services.precheck import Outcome, Precheck, Provided, precheck
from bianmin.cases.services.rules import applicant_of, item_of
from bianmin.cases.services.writer import save_rows
from bianmin.core.audit import Actor
from bianmin.registry.models import Staff

# --- materials on file ----------------------------------------------------------------------


def material_rows(
    case: Case, checked: Precheck, *, at: dt.datetime, only: set[str] | None = None
) -> list[CaseMaterial]:
    """What was handed in and what shared data will supply, not yet saved."""
    return [
        CaseMaterial(
            case=case,
            material_id=c.material_id,
            code=c.code,
            name=c.name,
            source=MaterialSource.SUBMITTED
            if c.outcome == Outcome.SUBMITTED
            else MaterialSource.SHARED,
            form=c.provided_form,
            received_at=at,
        )
        for c in checked.checks
        if c.outcome in (Outcome.SUBMITTED, Outcome.SHARED) and (only is None or c.code in only)
    ]


def file_materials(
    case: Case,
    checked: Precheck,
    *,
    only: set[str] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Put on file what was handed in and what shared data will supply (a material filed
    again — a supplement — replaces the earlier entry)."""
    rows = material_rows(case, checked, at=at or timezone.now(), only=only)
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


def recheck(
    case: Case,
    extra: list[Provided] = (),
    applicable: Iterable[str] = (),
    day: dt.date | None = None,
    *,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> Precheck:
    """The precheck of a case on file, with what was handed in since (`extra`). With an
    `actor`, sharing is asked again for what it has not supplied yet (`fetching.refetch`), so
    a clerk's acceptance never rests on a fetch that failed."""
    given = {p.code: p for p in on_file(case)}
    given.update({p.code: p for p in extra})
    checked = precheck(
        item=item_of(case),
        applicant=applicant_of(case),
        provided=given.values(),
        channel=case.channel,
        applicable=applicable,
        today=day,
    )
    if actor is None or checked.problems:
        return checked
    at = at or timezone.now()
    checked = fetching.refetch(actor=actor, case=case, checked=checked, at=at)
    # What sharing supplied only now goes on file with the rest.
    filed = set(case.materials.values_list("code", flat=True))
    late = {c.code for c in checked.shared} - filed
    if late and checked.fetched:
        file_materials(case, checked, only=late, at=at)
    return checked


# --- the two outcomes of a precheck -------------------------------------------------------------


def prepare_acceptance(
    case: Case,
    checked: Precheck,
    *,
    staff: Staff | None,
    pledge: PledgeInput | None,
    on: dt.date | None = None,
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
    day, at = moment(on)
    case.accepted_at, case.accepted_on = at, day
    if staff is not None and case.org_unit_id is None:
        # An online application belongs to the centre that accepted it from now on.
        case.org_unit, case.area_code = staff.org_unit, staff.org_unit.division.prefix
    case.promised_days = checked.item.promised_limit_days
    refresh_due(case)
    has_reviews = bool(review_steps(checked.item))
    case.status = CaseStatus.IN_REVIEW if has_reviews else CaseStatus.ACCEPTED


def acceptance_rows(
    case: Case,
    checked: Precheck,
    *,
    actor: Actor,
    pledge: PledgeInput | None,
    from_status: str,
    at: dt.datetime,
) -> tuple[list[Model], CaseEvent, DeficiencyPledge | None]:
    """The rows an accepted case gets — reviews, the pledge, the event — not yet saved."""
    rows: list[Model] = list(review_rows(case, checked.item, at=at))
    pledge_row = None
    if pledge is not None and checked.missing:
        pledge_row = DeficiencyPledge(
            case=case,
            materials=[{"code": c.code, "name": c.name} for c in checked.missing],
            due_date=pledge.due_date,
            signed_at=at,
        )
        rows.append(pledge_row)
    event = new_event(
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
        at=at,
    )
    rows.append(event)
    return rows, event, pledge_row


def accepted_message(case: Case, pledge_row: DeficiencyPledge | None) -> str:
    pledged = [m["name"] for m in pledge_row.materials] if pledge_row else None
    return messages.accepted(
        case, pledged=pledged, pledge_due=pledge_row.due_date if pledge_row else None
    )


def finish_acceptance(
    case: Case,
    checked: Precheck,
    *,
    actor: Actor,
    pledge: PledgeInput | None,
    from_status: str,
    notify: bool,
    at: dt.datetime | None = None,
) -> None:
    """The rows an accepted (and saved) case needs: reviews, the pledge, the event."""
    rows, event, pledge_row = acceptance_rows(
        case, checked, actor=actor, pledge=pledge, from_status=from_status, at=at or timezone.now()
    )
    save_rows(rows)
    if notify:
        announce(case, event, accepted_message(case, pledge_row))


def accept_checked(
    case: Case,
    checked: Precheck,
    *,
    actor: Actor,
    staff: Staff | None,
    pledge: PledgeInput | None,
    notify: bool,
    on: dt.date | None = None,
) -> None:
    """受理 a saved case whose materials were just checked."""
    from_status = case.status
    prepare_acceptance(case, checked, staff=staff, pledge=pledge, on=on)
    case.save()
    finish_acceptance(
        case,
        checked,
        actor=actor,
        pledge=pledge,
        from_status=from_status,
        notify=notify,
        at=case.accepted_at,
    )


def prepare_return(
    case: Case, checked: Precheck, *, reason: str, on: dt.date | None = None
) -> None:
    if not checked.missing and not reason:
        raise ValidationError(
            _("材料齐全，无需补正；如需补正其他内容，请填写理由。"), code="nothing_to_supplement"
        )
    case.status = CaseStatus.RETURNED
    case.paused_since = moment(on)[0]


def return_rows(
    case: Case,
    checked: Precheck,
    *,
    actor: Actor,
    reason: str,
    from_status: str,
    at: dt.datetime,
) -> tuple[list[Model], CaseEvent]:
    """The clock's pause and the one-time notice's event for a case being returned, not yet
    saved (`prepare_return` set the day the clock stops)."""
    pause = pause_row(
        case,
        actor=actor,
        kind=PauseKind.SUPPLEMENT,
        started_on=case.paused_since,
        reason=reason,
        at=at,
    )
    event = new_event(
        case,
        actor=actor,
        action=EventAction.RETURNED,
        from_status=from_status,
        reason=reason,
        data={"notice": checked.notice()},
        at=at,
    )
    return [pause, event], event


def returned_message(case: Case, checked: Precheck, reason: str) -> str:
    return messages.returned(case, [c.name for c in checked.missing] or [reason])


def finish_return(
    case: Case,
    checked: Precheck,
    *,
    actor: Actor,
    reason: str,
    from_status: str,
    notify: bool,
    at: dt.datetime | None = None,
) -> None:
    """The clock stops (a pause row) and the one-time notice goes out, for a saved case."""
    rows, event = return_rows(
        case, checked, actor=actor, reason=reason, from_status=from_status, at=at or timezone.now()
    )
    save_rows(rows)
    if notify:
        announce(case, event, returned_message(case, checked, reason))


def return_checked(
    case: Case,
    checked: Precheck,
    *,
    actor: Actor,
    reason: str,
    notify: bool,
    on: dt.date | None = None,
) -> None:
    """补正 for a saved case whose materials were just checked."""
    from_status = case.status
    prepare_return(case, checked, reason=reason, on=on)
    save(case, "status", "paused_since")
    finish_return(
        case,
        checked,
        actor=actor,
        reason=reason,
        from_status=from_status,
        notify=notify,
        at=moment(on)[1],
    )
