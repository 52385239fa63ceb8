"""一号 + 一窗 + 一网 intake: identify the applicant by one number, check the materials once,
and take the application in at a window, through a village agent, or online.

Window and agent intake decide at once: complete → 受理 (case number, due date); only
non-essential materials missing and a written pledge → 容缺受理; otherwise → 补正 with the
one-time notice. Online applications wait as `submitted` for a clerk's precheck
(`acceptance.accept / return_for_supplement / refuse_acceptance`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import (
    BundleApplication,
    Case,
    CaseStatus,
    ConsentMethod,
    EventAction,
    IntakeChannel,
)
from bianmin.cases.numbering import next_number
from bianmin.cases.services import fetching, messages
from bianmin.cases.services.applicants import (  # noqa: F401 — intake.identify_applicant …
    audit_lookup,
    find_applicant,
    identify_applicant,
)
from bianmin.cases.services.common import announce, moment, record_event, require_staff
from bianmin.cases.services.outcomes import (
    acceptance_rows,
    accepted_message,
    file_materials,
    material_rows,
    prepare_acceptance,
    prepare_return,
    return_rows,
    returned_message,
)
from bianmin.cases.services.pledges import PledgeInput, validate_pledge
from bianmin.cases.services.precheck import Applicant, Precheck, Provided, precheck
from bianmin.cases.services.rules import (
    INTAKE_ROLES,
    check_acceptable_here,
    current_version_pk,
    item_version,
)
from bianmin.cases.services.visits import visit_row
from bianmin.cases.services.writer import insert_case
from bianmin.catalog.models import ServiceItem
from bianmin.core.audit import Actor
from bianmin.registry.models import OrgUnit, Staff

ProvidedInput = Iterable[str | Mapping[str, Any] | Provided]


@dataclass(frozen=True)
class AgentConsent:
    """The resident's consent to 代办: how (书面委托 / 短信确认) and when."""

    method: str
    at: dt.datetime


@dataclass(frozen=True)
class IntakeResult:
    case: Case
    precheck: Precheck

    @property
    def accepted(self) -> bool:
        return self.case.accepted_at is not None


# --- looking things up ----------------------------------------------------------------------


def resolve_item(code: str) -> ServiceItem:
    """The current version of an item, with what intake needs prefetched."""
    pk = current_version_pk((code or "").strip())
    if pk is None:
        raise ValidationError(
            {
                "item_code": ValidationError(
                    _("事项编码“%(code)s”不存在或已停用。"),
                    code="unknown_item",
                    params={"code": code},
                )
            }
        )
    return item_version(pk)


# --- who may take what in, where ------------------------------------------------------------


def _check_consent(consent: AgentConsent | None) -> AgentConsent:
    if consent is None or consent.method not in ConsentMethod.values:
        raise ValidationError(
            {
                "agent_consent": ValidationError(
                    _("代办须记录申请人的委托方式（书面委托或短信确认）和时间。"),
                    code="agent_consent_required",
                )
            }
        )
    if consent.at > timezone.now():
        raise ValidationError(
            {"agent_consent": ValidationError(_("委托时间不能晚于现在。"), code="date_in_future")}
        )
    return consent


# --- creating cases -------------------------------------------------------------------------


def case_row(
    *,
    item: ServiceItem,
    applicant: Applicant,
    channel: str,
    org_unit: OrgUnit | None,
    area_code: str,
    agent: Staff | None = None,
    consent: AgentConsent | None = None,
    user_id: int | None = None,
    bundle_application: BundleApplication | None = None,
    at: dt.datetime | None = None,
) -> Case:
    """A new case, not yet numbered nor saved."""
    return Case(
        item=item,
        bundle_application=bundle_application,
        status=CaseStatus.SUBMITTED,
        applicant_type=applicant.type,
        applicant_person=applicant.person,
        applicant_org=applicant.organisation,
        applicant_name=applicant.name,
        applicant_id_masked=applicant.masked_id,
        applicant_last4=applicant.last4,
        applicant_area_code=applicant.area_code,
        channel=channel,
        org_unit=org_unit,
        area_code=area_code,
        agent=agent,
        consent_method=consent.method if consent else "",
        consent_at=consent.at if consent else None,
        submitted_by_user_id=user_id,
        submitted_at=at or timezone.now(),
        promised_days=item.promised_limit_days,
    )


def taken_in_by(staff: Staff, channel: str) -> dict[str, Any]:
    """Where a case taken in by staff belongs: the clerk's (or agent's) centre and its area;
    the agent named on a 代办 case."""
    return {
        "org_unit": staff.org_unit,
        "area_code": staff.org_unit.division.prefix,
        "agent": staff if channel == IntakeChannel.AGENT else None,
    }


def new_case(
    *,
    item: ServiceItem,
    applicant: Applicant,
    channel: str,
    org_unit: OrgUnit | None,
    area_code: str,
    agent: Staff | None = None,
    consent: AgentConsent | None = None,
    user_id: int | None = None,
    bundle_application: BundleApplication | None = None,
    save: bool = True,
    on: dt.date | None = None,
) -> Case:
    """A new case with its number, saved unless `save=False`. `on`: see `common.moment`."""
    day, at = moment(on)
    case = case_row(
        item=item,
        applicant=applicant,
        channel=channel,
        org_unit=org_unit,
        area_code=area_code,
        agent=agent,
        consent=consent,
        user_id=user_id,
        bundle_application=bundle_application,
        at=at,
    )
    case.case_no = next_number(day)
    if save:
        case.save(force_insert=True)
    return case


def staff_intake(actor: Actor, item: ServiceItem, channel: str, consent) -> tuple[Staff, Any]:
    if channel not in (IntakeChannel.WINDOW, IntakeChannel.AGENT):
        raise ValidationError(
            {"channel": ValidationError(_("申请渠道无效。"), code="invalid_channel")}
        )
    staff = require_staff(actor, roles=INTAKE_ROLES)
    check_acceptable_here(item, staff, channel)
    if channel == IntakeChannel.AGENT:
        consent = _check_consent(consent)
    return staff, consent


def take_in(
    *,
    actor: Actor,
    item: ServiceItem,
    applicant: Applicant,
    provided: ProvidedInput,
    channel: str,
    applicable: Iterable[str] = (),
    agent_consent: AgentConsent | None = None,
    pledge: PledgeInput | None = None,
    org_unit: OrgUnit | None = None,
    on: dt.date | None = None,
) -> IntakeResult:
    """Take an application in. Window / agent: accepted, accepted with a pledge (容缺), or
    returned for supplement with the one-time notice — the result says which. Online: see
    `submit_online` (called for channel "online"). `on`: see `common.moment`."""
    with transaction.atomic():
        return record_intake(
            actor=actor,
            item=item,
            applicant=applicant,
            provided=provided,
            channel=channel,
            applicable=applicable,
            agent_consent=agent_consent,
            pledge=pledge,
            org_unit=org_unit,
            on=on,
        )


def record_intake(
    *,
    actor: Actor,
    item: ServiceItem,
    applicant: Applicant,
    provided: ProvidedInput,
    channel: str,
    applicable: Iterable[str] = (),
    agent_consent: AgentConsent | None = None,
    pledge: PledgeInput | None = None,
    org_unit: OrgUnit | None = None,
    on: dt.date | None = None,
) -> IntakeResult:
    """`take_in` in the caller's transaction, which must be open (`transaction.atomic`): the
    API's intake writes its idempotency record and audit entry in the same one, and a nested
    atomic block would cost a savepoint (two round trips) for nothing."""
    if channel == IntakeChannel.ONLINE:
        return submit_online(
            actor=actor,
            item=item,
            applicant=applicant,
            provided=provided,
            org_unit=org_unit,
            applicable=applicable,
            on=on,
        )
    day, at = moment(on)
    staff, consent = staff_intake(actor, item, channel, agent_consent)
    checked = precheck(
        item=item,
        applicant=applicant,
        provided=provided,
        channel=channel,
        applicable=applicable,
        today=day,
    )
    if checked.problems:
        # Not a material the applicant can bring: the clerk refuses with the reason.
        raise ValidationError("；".join(checked.problems), code="applicant_not_eligible")
    # 数据多跑路 before the verdict: what sharing cannot supply is asked for, with the reason.
    checked, fetched = fetching.fetch(actor=actor, checked=checked, applicant=applicant)
    if pledge is not None:
        validate_pledge(checked, pledge, day=day)
    case = case_row(
        item=item,
        applicant=applicant,
        channel=channel,
        **taken_in_by(staff, channel),
        consent=consent,
        at=at,
    )
    # The case is decided before it is written, so it goes in once, complete, with every row
    # it starts with — one statement on PostgreSQL (`writer`).
    on_site = channel == IntakeChannel.WINDOW
    case.visit_count = int(on_site)
    rows: list = material_rows(case, checked, at=at)
    if on_site:
        rows.append(
            visit_row(case, actor=actor, purpose=str(_("提交申请")), org_unit=staff.org_unit, at=at)
        )
    if checked.complete or pledge is not None:
        prepare_acceptance(case, checked, staff=staff, pledge=pledge, on=at)
        more, event, pledge_row = acceptance_rows(
            case, checked, actor=actor, pledge=pledge, from_status=CaseStatus.SUBMITTED, at=at
        )
        insert_case(case, rows + more, number_day=day)
        announce(case, event, accepted_message(case, pledge_row))
    else:
        prepare_return(case, checked, reason="", on=at)
        more, event = return_rows(
            case, checked, actor=actor, reason="", from_status=CaseStatus.SUBMITTED, at=at
        )
        insert_case(case, rows + more, number_day=day)
        announce(case, event, returned_message(case, checked, ""))
    fetching.record(actor=actor, case=case, fetched=fetched, at=at)
    return IntakeResult(case, checked)


@transaction.atomic
def submit_online(
    *,
    actor: Actor,
    item: ServiceItem,
    applicant: Applicant,
    provided: ProvidedInput,
    org_unit: OrgUnit | None = None,
    applicable: Iterable[str] = (),
    on: dt.date | None = None,
) -> IntakeResult:
    """网上申报: the case waits as `submitted` for a clerk of the centre it is addressed to
    (`org_unit`, default: the applicant's street / town) to precheck it. What sharing could
    not supply is in the notice of its `submitted` event. `applicable`: conditional materials
    the applicant says apply. `on`: see `common.moment`."""
    if not item.is_current or not item.online:
        raise ValidationError(
            _("事项“%(item)s”不能网上办理。"), code="item_not_online", params={"item": item.name}
        )
    day, at = moment(on)
    checked = precheck(
        item=item,
        applicant=applicant,
        provided=provided,
        channel=IntakeChannel.ONLINE,
        applicable=applicable,
        today=day,
    )
    checked, fetched = fetching.fetch(actor=actor, checked=checked, applicant=applicant)
    area = org_unit.division.prefix if org_unit else applicant.area_code[:9]
    case = new_case(
        item=item,
        applicant=applicant,
        channel=IntakeChannel.ONLINE,
        org_unit=org_unit,
        area_code=area,
        user_id=actor.user_id,
        on=at,
    )
    file_materials(case, checked, at=at)
    fetching.record(actor=actor, case=case, fetched=fetched, at=at)
    record_event(
        case,
        actor=actor,
        action=EventAction.SUBMITTED,
        from_status=CaseStatus.SUBMITTED,
        data={"notice": checked.notice()},
        message=messages.submitted(case),
        at=at,
    )
    return IntakeResult(case, checked)
