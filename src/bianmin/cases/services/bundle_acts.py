"""多证联办 after intake: a bundle application that was returned for supplement moves as a
whole until it is accepted — its supplement received, then accepted, returned again or
refused, for every item at once with one notice and one message (`resubmit_bundle`,
`accept_bundle`, `return_bundle`, `refuse_bundle`). The single-case services refuse to act on
one item of a bundle before acceptance (`bundle_as_whole`), so no application is ever left
with some items accepted and others not.

After acceptance each item is its own case — its own reviews, its own decision (a 行政许可
is decided item by item; one item denied does not deny the others). When the last item is
decided or ended, the applicant gets one result for the application listing every item's
outcome (`bundle_results.on_member_finished`, called by `decide` and `terminate`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import (
    BundleApplication,
    Case,
    CaseStatus,
    EventAction,
    IntakeChannel,
)
from bianmin.cases.services import messages
from bianmin.cases.services.bundles import (
    IntakeResult,
    check_bundle_pledge,
    member_reason,
    not_eligible,
    notify_bundle,
)
from bianmin.cases.services.clock import end_pause
from bianmin.cases.services.common import (
    locked,
    moment,
    notify_applicant,
    record_event,
    require_reason,
    require_staff,
    save,
)
from bianmin.cases.services.merged import MergedCheck
from bianmin.cases.services.outcomes import (
    accept_checked,
    file_materials,
    recheck,
    return_checked,
)
from bianmin.cases.services.pledges import PledgeInput
from bianmin.cases.services.precheck import Precheck, Provided, normalise_provided
from bianmin.cases.services.rules import INTAKE_ROLES, channel_of, check_acceptable_here
from bianmin.cases.services.visits import record_visit_in
from bianmin.core.audit import Actor

BUNDLE_WAITING = (CaseStatus.SUBMITTED, CaseStatus.RETURNED)


def _members(application: BundleApplication | str) -> tuple[BundleApplication, list[Case]]:
    """The application and its cases, each re-read under a row lock within scope (403
    outside it), in the order they were taken in."""
    if isinstance(application, str):
        found = BundleApplication.objects.select_related("bundle").filter(bundle_no=application)
        application = found.first()
        if application is None:
            raise Case.DoesNotExist(_("联办申请不存在。"))
    numbers = list(
        Case.unscoped.filter(bundle_application=application)
        .order_by("id")
        .values_list("case_no", flat=True)
    )
    if not numbers:
        raise Case.DoesNotExist(_("联办申请不存在。"))
    return application, [locked(n) for n in numbers]


def _require_waiting(cases: list[Case], allowed: Iterable[str], action) -> None:
    allowed = set(allowed)
    for case in cases:
        if case.status not in allowed or case.accepted_at is not None:
            raise ValidationError(
                _("联办申请当前状态为“%(status)s”，不能%(action)s。"),
                code="invalid_transition",
                params={"status": case.get_status_display(), "action": action},
            )


def _clerk(actor: Actor, cases: list[Case]):
    staff = require_staff(actor, roles=INTAKE_ROLES)
    for case in cases:
        check_acceptable_here(case.item, staff, channel_of(staff), filed=True)
    return staff


def _rechecks(
    cases: list[Case],
    *,
    actor: Actor,
    extra: Mapping[str, Provided] = {},
    applicable: Iterable[str] = (),
    day: dt.date,
    at: dt.datetime,
) -> list[Precheck]:
    """Each item's precheck of what is on file (and `extra`, each item its own codes), with
    the same confirmed conditions, after asking sharing again for what it has not supplied."""
    applicable = set(applicable)
    checks = []
    for case in cases:
        codes = {m.code for m in case.item.materials.all()}
        checks.append(
            recheck(
                case,
                extra=[p for code, p in extra.items() if code in codes],
                applicable=applicable & codes,
                day=day,
                actor=actor,
                at=at,
            )
        )
    return checks


def _given(cases: list[Case], provided) -> dict[str, Provided]:
    given = {p.code: p for p in normalise_provided(provided)}
    known = {m.code for case in cases for m in case.item.materials.all()}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValidationError(
            {
                "materials": ValidationError(
                    _("联办事项“%(item)s”没有以下材料：%(codes)s。"),
                    code="unknown_material",
                    params={
                        "item": cases[0].bundle_application.bundle.name,
                        "codes": "、".join(unknown),
                    },
                )
            }
        )
    return given


@transaction.atomic
def resubmit_bundle(
    *,
    actor: Actor,
    application: BundleApplication | str,
    provided: Iterable[str | Mapping[str, Any] | Provided],
    channel: str = IntakeChannel.WINDOW,
    on: dt.date | None = None,
) -> list[Precheck]:
    """补正材料 of a returned bundle application received, for every item at once (a material
    several items need is handed in once): each case's clock restarts and the application
    waits for a clerk's `accept_bundle` / `return_bundle` / `refuse_bundle`."""
    day, at = moment(on)
    application, cases = _members(application)
    _require_waiting(cases, [CaseStatus.RETURNED], _("接收补正材料"))
    staff = require_staff(actor)
    given = _given(cases, provided)
    checks = _rechecks(cases, actor=actor, extra=given, day=day, at=at)
    for case, checked in zip(cases, checks, strict=True):
        mine = {code for code in given if code in {c.code for c in checked.checks}}
        file_materials(case, checked, only=mine | {c.code for c in checked.shared}, at=at)
        end_pause(case, ended_on=day)
        case.status = CaseStatus.SUBMITTED
        save(case, "status", "paused_since", "paused_workdays", "due_date", "due_provisional")
        if channel == IntakeChannel.WINDOW:
            record_visit_in(
                case, actor=actor, purpose=str(_("补正材料")), org_unit=staff.org_unit, at=at
            )
        event = record_event(
            case,
            actor=actor,
            action=EventAction.RESUBMITTED,
            from_status=CaseStatus.RETURNED,
            data={
                "materials": sorted(mine),
                "still_missing": [c.as_dict() for c in checked.missing],
                "bundle": application.bundle_no,
            },
            at=at,
        )
    notify_applicant(
        cases[0],
        key=f"bundle:{application.bundle_no}:resubmitted:{event.pk}",
        body=messages.bundle_resubmitted(application),
    )
    return checks


@transaction.atomic
def accept_bundle(
    *,
    actor: Actor,
    application: BundleApplication | str,
    pledge: PledgeInput | None = None,
    applicable: Iterable[str] = (),
    on: dt.date | None = None,
) -> list[Case]:
    """受理 a waiting bundle application, every item at once — or none: a material any item
    still misses (sharing asked again first) is refused for the whole (`materials_missing`),
    unless a pledge covers exactly what is missing (容缺)."""
    day, at = moment(on)
    application, cases = _members(application)
    _require_waiting(cases, [CaseStatus.SUBMITTED], _("受理"))
    staff = _clerk(actor, cases)
    checks = _rechecks(cases, actor=actor, applicable=applicable, day=day, at=at)
    merged = MergedCheck(tuple(checks))
    if merged.problems:
        raise not_eligible(merged)
    if pledge is not None:
        check_bundle_pledge(checks, pledge, day)
    elif merged.missing:
        raise ValidationError(
            _("材料不齐全，不能受理（缺少：%(names)s）。请一次性告知申请人补正，或按容缺受理。"),
            code="materials_missing",
            params={"names": "、".join(c.name for c in merged.missing)},
        )
    results = []
    for case, checked in zip(cases, checks, strict=True):
        mine = pledge.only(checked) if pledge is not None else None
        accept_checked(case, checked, actor=actor, staff=staff, pledge=mine, notify=False, on=at)
        results.append(IntakeResult(case, checked))
    notify_bundle(application, results)
    return cases


@transaction.atomic
def return_bundle(
    *,
    actor: Actor,
    application: BundleApplication | str,
    reason: str = "",
    applicable: Iterable[str] = (),
    on: dt.date | None = None,
) -> MergedCheck:
    """补正 for a waiting bundle application: one notice listing every item's missing
    materials (each once); every case's clock stops. Returns the merged check (its notice)."""
    day, at = moment(on)
    application, cases = _members(application)
    _require_waiting(cases, [CaseStatus.SUBMITTED], _("告知补正"))
    _clerk(actor, cases)
    reason = (reason or "").strip()
    checks = _rechecks(cases, actor=actor, applicable=applicable, day=day, at=at)
    merged = MergedCheck(tuple(checks))
    if not merged.missing and not reason:
        raise ValidationError(
            _("材料齐全，无需补正；如需补正其他内容，请填写理由。"), code="nothing_to_supplement"
        )
    results = []
    for case, checked in zip(cases, checks, strict=True):
        why = member_reason(checked, reason)
        return_checked(case, checked, actor=actor, reason=why, notify=False, on=at)
        results.append(IntakeResult(case, checked))
    notify_bundle(
        application,
        results,
        reason=reason,
        key=f"bundle:{application.bundle_no}:returned:{at.isoformat()}",
    )
    return merged


@transaction.atomic
def refuse_bundle(
    *,
    actor: Actor,
    application: BundleApplication | str,
    reason: str,
    on: dt.date | None = None,
) -> list[Case]:
    """不予受理 of a waiting bundle application (returned or resubmitted, never accepted), for
    every item at once, with the reason, one message."""
    day, at = moment(on)
    application, cases = _members(application)
    _require_waiting(cases, BUNDLE_WAITING, _("不予受理"))
    _clerk(actor, cases)
    reason = require_reason(reason)
    results = []
    for case in cases:
        from_status = case.status
        end_pause(case, ended_on=day)
        case.status = CaseStatus.NOT_ACCEPTED
        case.closed_at, case.closed_on = at, day
        save(case, "status", "paused_since", "paused_workdays", "closed_at", "closed_on")
        record_event(
            case,
            actor=actor,
            action=EventAction.NOT_ACCEPTED,
            from_status=from_status,
            reason=reason,
            data={"bundle": application.bundle_no},
            at=at,
        )
        results.append(IntakeResult(case, None))
    notify_bundle(application, results, reason=reason)
    return cases
