"""多证联办: one application, one material list and one notice for a Bundle of items.

Choice: one `Case` per item under one `BundleApplication`, not one case with several parts.
Each item has its own department, time limit, reviews and decision, so each is a case in its
own right (its own deadline warnings, its own supervision counts); the application ties them
to one number (LB…), one intake, one notice. Until acceptance the application moves as a
whole — accepted together, returned together (one notice), refused together — here at intake
and in `bundle_acts` afterwards; once accepted, each item is handled and decided on its own,
and the application's result (`bundle_acts.on_member_finished`) lists every item's outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import BundleApplication, Case, CaseStatus, EventAction, IntakeChannel
from bianmin.cases.numbering import next_number
from bianmin.cases.services import fetching, messages
from bianmin.cases.services.acceptance import (
    accept_checked,
    file_materials,
    return_checked,
)
from bianmin.cases.services.common import (
    moment,
    notify_applicant,
    record_event,
    require_reason,
)
from bianmin.cases.services.intake import (
    AgentConsent,
    IntakeResult,
    ProvidedInput,
    new_case,
    staff_intake,
    taken_in_by,
)
from bianmin.cases.services.merged import MergedCheck
from bianmin.cases.services.pledges import PledgeInput, validate_pledge
from bianmin.cases.services.precheck import (
    Applicant,
    Outcome,
    Precheck,
    normalise_provided,
    precheck,
)
from bianmin.cases.services.rules import items_for_intake
from bianmin.cases.services.visits import record_visit_in
from bianmin.catalog.models import Bundle, ServiceItem
from bianmin.core.audit import Actor


def resolve_bundle(code: str) -> tuple[Bundle, list[ServiceItem]]:
    bundle = Bundle.objects.filter(code=(code or "").strip(), is_active=True).first()
    if bundle is None:
        raise ValidationError(
            {
                "bundle_code": ValidationError(
                    _("联办事项“%(code)s”不存在或已停用。"),
                    code="unknown_bundle",
                    params={"code": code},
                )
            }
        )
    items = {
        i.code: i for i in items_for_intake().filter(code__in=bundle.item_codes, is_current=True)
    }
    absent = [c for c in bundle.item_codes if c not in items]
    if absent:
        raise ValidationError(
            _("联办事项包含的事项已停用：%(codes)s。"),
            code="unknown_item",
            params={"codes": "、".join(absent)},
        )
    return bundle, [items[c] for c in bundle.item_codes]


@dataclass(frozen=True)
class BundleResult:
    application: BundleApplication
    results: list[IntakeResult]

    @property
    def cases(self) -> list[Case]:
        return [r.case for r in self.results]

    @property
    def merged(self) -> MergedCheck:
        """The application's one check: each material once, the items that need it."""
        return MergedCheck(tuple(r.precheck for r in self.results))

    @property
    def status(self) -> str:
        """The application's state: every case is in the same one until acceptance."""
        return self.results[0].case.status if self.results else ""


def check_bundle(
    *,
    bundle: Bundle,
    items: list[ServiceItem],
    applicant: Applicant,
    provided: ProvidedInput,
    channel: str,
    applicable: Iterable[str] = (),
    today: dt.date | None = None,
) -> list[Precheck]:
    """Each item's precheck against the same application: the materials handed in (each
    item sees its own), the same confirmed conditions (`applicable`: a conditional material
    confirmed once applies to every item that lists it). Writes nothing. A code no item
    knows is an error (`unknown_material`)."""
    given = {p.code: p for p in normalise_provided(provided)}
    codes_of = {item.pk: {m.code for m in item.materials.all()} for item in items}
    every = set().union(*codes_of.values())
    unknown = sorted(set(given) - every)
    if unknown:
        raise ValidationError(
            {
                "materials": ValidationError(
                    _("联办事项“%(item)s”没有以下材料：%(codes)s。"),
                    code="unknown_material",
                    params={"item": bundle.name, "codes": "、".join(unknown)},
                )
            }
        )
    applicable = set(applicable)
    return [
        precheck(
            item=item,
            applicant=applicant,
            provided=[p for code, p in given.items() if code in codes_of[item.pk]],
            channel=channel,
            applicable=applicable & codes_of[item.pk],
            today=today,
        )
        for item in items
    ]


def member_reason(checked: Precheck, reason: str) -> str:
    """The reason a bundle's item is returned: the clerk's; an item with nothing missing of
    its own waits with the others, and says so."""
    if checked.missing or reason:
        return reason
    return str(_("联办申请的其他事项须补正材料，本事项随联办申请一并补正"))


def not_eligible(merged: MergedCheck) -> ValidationError:
    """The applicant does not meet one or more items' conditions: one error naming each."""
    return ValidationError("；".join(merged.problems), code="applicant_not_eligible")


def check_bundle_pledge(checks: list[Precheck], pledge: PledgeInput, day: dt.date) -> None:
    """One pledge for the application: it covers exactly what the items miss together."""
    for checked in checks:
        validate_pledge(checked, pledge, partial=True, day=day)
    missing = MergedCheck(tuple(checks)).missing
    if any(code not in {c.code for c in missing} for code in pledge.materials):
        raise ValidationError(
            {
                "pledge": ValidationError(
                    _("承诺书所列材料应与缺少的材料一致（缺少：%(names)s）。"),
                    code="pledge_materials_mismatch",
                    params={"names": "、".join(c.name for c in missing)},
                )
            }
        )


def _application(bundle: Bundle, applicant: Applicant, staff, day, at) -> BundleApplication:
    return BundleApplication.objects.create(
        bundle_no=next_number(day, prefix="LB"),
        bundle=bundle,
        applicant_name=applicant.name,
        area_code=staff.org_unit.division.prefix,
        created_at=at,
    )


@transaction.atomic
def take_in_bundle(
    *,
    actor: Actor,
    bundle: Bundle,
    items: list[ServiceItem],
    applicant: Applicant,
    provided: ProvidedInput,
    channel: str,
    applicable: Iterable[str] = (),
    agent_consent: AgentConsent | None = None,
    pledge: PledgeInput | None = None,
    on: dt.date | None = None,
) -> BundleResult:
    """多证联办: one application, one material list, one notice. One `Case` per item (each
    has its own department, time limit and decision, so each is a case of its own) under one
    `BundleApplication`; all are accepted together or all returned together. A material
    several items ask for is handed in once, and asked for once. `applicable`: conditional
    materials the clerk confirmed apply, for every item that lists them. Shared materials are
    fetched for each item's department before the verdict (`fetching`). `on`: see
    `common.moment`."""
    day, at = moment(on)
    if channel == IntakeChannel.ONLINE:
        raise ValidationError(
            {"channel": ValidationError(_("联办事项请到窗口申请。"), code="invalid_channel")}
        )
    for item in items:
        staff, consent = staff_intake(actor, item, channel, agent_consent)
    checks = check_bundle(
        bundle=bundle,
        items=items,
        applicant=applicant,
        provided=provided,
        channel=channel,
        applicable=applicable,
        today=day,
    )
    if any(c.problems for c in checks):
        raise not_eligible(MergedCheck(tuple(checks)))
    fetches = []
    for k, checked in enumerate(checks):
        checks[k], fetched = fetching.fetch(actor=actor, checked=checked, applicant=applicant)
        fetches.append(fetched)
    if pledge is not None:
        check_bundle_pledge(checks, pledge, day)
    accept_all = all(c.complete for c in checks) or pledge is not None
    application = _application(bundle, applicant, staff, day, at)
    results = []
    for item, checked, fetched in zip(items, checks, fetches, strict=True):
        case = new_case(
            item=item,
            applicant=applicant,
            channel=channel,
            **taken_in_by(staff, channel),
            consent=consent,
            bundle_application=application,
            on=at,
        )
        file_materials(case, checked, at=at)
        fetching.record(actor=actor, case=case, fetched=fetched, at=at)
        if channel == IntakeChannel.WINDOW:
            record_visit_in(
                case, actor=actor, purpose=str(_("提交申请")), org_unit=staff.org_unit, at=at
            )
        if accept_all:
            mine = pledge.only(checked) if pledge is not None else None
            accept_checked(
                case, checked, actor=actor, staff=staff, pledge=mine, notify=False, on=at
            )
        else:
            why = member_reason(checked, "")
            return_checked(case, checked, actor=actor, reason=why, notify=False, on=at)
        results.append(IntakeResult(case, checked))
    notify_bundle(application, results)
    return BundleResult(application, results)


@transaction.atomic
def refuse_bundle_at_intake(
    *,
    actor: Actor,
    bundle: Bundle,
    items: list[ServiceItem],
    applicant: Applicant,
    provided: ProvidedInput,
    channel: str,
    reason: str,
    agent_consent: AgentConsent | None = None,
    on: dt.date | None = None,
) -> BundleResult:
    """不予受理 of a new bundle application, as a whole: every item's case is written once,
    already `not_accepted`, with the reason and each item's own problems (the applicant does
    not meet an item's conditions …) in one notice and one message. Nothing is fetched from
    sharing for an application not taken in."""
    day, at = moment(on)
    for item in items:
        staff, consent = staff_intake(actor, item, channel, agent_consent)
    reason = require_reason(reason)
    checks = check_bundle(
        bundle=bundle,
        items=items,
        applicant=applicant,
        provided=provided,
        channel=channel,
        today=day,
    )
    application = _application(bundle, applicant, staff, day, at)
    on_site = channel == IntakeChannel.WINDOW
    results = []
    for item, checked in zip(items, checks, strict=True):
        case = new_case(
            item=item,
            applicant=applicant,
            channel=channel,
            **taken_in_by(staff, channel),
            consent=consent,
            bundle_application=application,
            save=False,
            on=at,
        )
        case.status = CaseStatus.NOT_ACCEPTED
        case.closed_at, case.closed_on = at, day
        case.save(force_insert=True)
        handed = {c.code for c in checked.checks if c.outcome == Outcome.SUBMITTED}
        file_materials(case, checked, only=handed, at=at)
        if on_site:
            record_visit_in(
                case, actor=actor, purpose=str(_("提交申请")), org_unit=staff.org_unit, at=at
            )
        record_event(
            case,
            actor=actor,
            action=EventAction.NOT_ACCEPTED,
            from_status=CaseStatus.SUBMITTED,
            reason=reason,
            data={"problems": list(checked.problems), "at_intake": True, "bundle": True},
            at=at,
        )
        results.append(IntakeResult(case, checked))
    notify_bundle(application, results, reason=reason)
    return BundleResult(application, results)


def notify_bundle(
    application: BundleApplication, results: list[IntakeResult], *, reason: str = "", key=""
) -> None:
    """One message for the whole application (the per-case events are still recorded)."""
    cases = [r.case for r in results]
    status = cases[0].status
    if status == CaseStatus.NOT_ACCEPTED:
        key = key or f"bundle:{application.bundle_no}:not_accepted"
        body = messages.bundle_not_accepted(application, reason)
    elif all(r.accepted for r in results):
        key = key or f"bundle:{application.bundle_no}:accepted"
        body = messages.bundle_accepted(application, cases)
    else:
        key = key or f"bundle:{application.bundle_no}:returned"
        merged = MergedCheck(tuple(r.precheck for r in results))
        names = [c.name for c in merged.missing] or [reason]
        body = messages.bundle_returned(application, names)
    notify_applicant(cases[0], key=key, body=body)
