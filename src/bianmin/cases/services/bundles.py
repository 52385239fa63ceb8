"""多证联办: one application, one material list and one notice for a Bundle of items.

Choice: one `Case` per item under one `BundleApplication`, not one case with several parts.
Each item has its own department, time limit, reviews and decision, so each is a case in its
own right (its own deadline warnings, its own supervision counts); the application ties them
to one number (LB…), one intake, one notice. All are accepted together or returned together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import BundleApplication, Case, IntakeChannel
from bianmin.cases.numbering import next_number
from bianmin.cases.services import messages
from bianmin.cases.services.acceptance import (
    accept_checked,
    file_materials,
    return_checked,
)
from bianmin.cases.services.common import moment, notify_applicant
from bianmin.cases.services.intake import (
    AgentConsent,
    IntakeResult,
    ProvidedInput,
    new_case,
    staff_intake,
)
from bianmin.cases.services.pledges import PledgeInput, validate_pledge
from bianmin.cases.services.precheck import Applicant, normalise_provided, precheck
from bianmin.cases.services.rules import items_for_intake
from bianmin.cases.services.visits import record_visit_in
from bianmin.catalog.models import Bundle, ServiceItem
from bianmin.core.audit import Actor
from bianmin.sharing.services import satisfy_materials


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


@transaction.atomic
def take_in_bundle(
    *,
    actor: Actor,
    bundle: Bundle,
    items: list[ServiceItem],
    applicant: Applicant,
    provided: ProvidedInput,
    channel: str,
    agent_consent: AgentConsent | None = None,
    pledge: PledgeInput | None = None,
    on: dt.date | None = None,
) -> BundleResult:
    """多证联办: one application, one material list, one notice. One `Case` per item (each
    has its own department, time limit and decision, so each is a case of its own) under one
    `BundleApplication`; all are accepted together or all returned together. A material
    several items ask for is handed in once. `on`: see `common.moment`."""
    day, at = moment(on)
    if channel == IntakeChannel.ONLINE:
        raise ValidationError(
            {"channel": ValidationError(_("联办事项请到窗口申请。"), code="invalid_channel")}
        )
    for item in items:
        staff, consent = staff_intake(actor, item, channel, agent_consent)
    given = {p.code: p for p in normalise_provided(provided)}
    codes_of = {item.pk: {m.code for m in item.materials.all()} for item in items}
    unknown = sorted(set(given) - set().union(*codes_of.values()))
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
    checks = [
        precheck(
            item=item,
            applicant=applicant,
            provided=[p for code, p in given.items() if code in codes_of[item.pk]],
            channel=channel,
            today=day,
        )
        for item in items
    ]
    for checked in checks:
        if checked.problems:
            raise ValidationError("；".join(checked.problems), code="applicant_not_eligible")
        if pledge is not None:
            validate_pledge(checked, pledge, partial=True, day=day)
    accept_all = all(c.complete for c in checks) or pledge is not None
    application = BundleApplication.objects.create(
        bundle_no=next_number(day, prefix="LB"),
        bundle=bundle,
        applicant_name=applicant.name,
        area_code=staff.org_unit.division.prefix,
        created_at=at,
    )
    results = []
    for item, checked in zip(items, checks, strict=True):
        case = new_case(
            item=item,
            applicant=applicant,
            channel=channel,
            org_unit=staff.org_unit,
            area_code=staff.org_unit.division.prefix,
            agent=staff if channel == IntakeChannel.AGENT else None,
            consent=consent,
            bundle_application=application,
            on=at,
        )
        file_materials(case, checked, at=at)
        satisfy_materials(actor=actor, case=case, checked=checked, at=at)
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
            return_checked(case, checked, actor=actor, reason="", notify=False, on=at)
        results.append(IntakeResult(case, checked))
    _notify_bundle(application, results)
    return BundleResult(application, results)


def _notify_bundle(application: BundleApplication, results: list[IntakeResult]) -> None:
    """One message for the whole application (the per-case events are still recorded)."""
    cases = [r.case for r in results]
    if all(r.accepted for r in results):
        key = f"bundle:{application.bundle_no}:accepted"
        body = messages.bundle_accepted(application, cases)
    else:
        key = f"bundle:{application.bundle_no}:returned"
        names = list(dict.fromkeys(c.name for r in results for c in r.precheck.missing))
        body = messages.bundle_returned(application, names)
    notify_applicant(cases[0], key=key, body=body)
