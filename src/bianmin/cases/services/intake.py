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
from bianmin.cases.services import messages
from bianmin.cases.services.acceptance import (
    file_materials,
    finish_acceptance,
    finish_return,
    prepare_acceptance,
    prepare_return,
)
from bianmin.cases.services.common import record_event, require_staff, today
from bianmin.cases.services.pledges import PledgeInput, validate_pledge
from bianmin.cases.services.precheck import (
    Applicant,
    Precheck,
    Provided,
    precheck,
)
from bianmin.cases.services.rules import INTAKE_ROLES, check_acceptable_here, item_version
from bianmin.cases.services.visits import add_visit_row
from bianmin.catalog.models import ServiceItem
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.identifiers import parse_credit_code
from bianmin.core.models import AuditAction
from bianmin.registry.models import Organisation, OrgUnit, Person, Staff
from bianmin.registry.services.people import hash_of, person_label

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
    pk = (
        ServiceItem.objects.filter(code=(code or "").strip(), is_current=True)
        .values_list("pk", flat=True)
        .first()
    )
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


def identify_applicant(*, actor: Actor, id_number: str = "", credit_code: str = "") -> Applicant:
    """一号: the applicant by citizen ID number or unified social credit code.

    Deliberately not limited to the clerk's area: any centre takes any resident's application
    (全域通办), and the applicant presenting the number is why it is looked up. The read is
    audited with that purpose instead."""
    if id_number:
        person = Person.unscoped.filter(id_hash=hash_of(id_number)).first()
        if person is None:
            raise ValidationError(
                {
                    "applicant_id_number": ValidationError(
                        _("人口库中没有该身份证号码的记录，请先登记人员信息。"),
                        code="unknown_applicant",
                    )
                }
            )
        audit.record(
            actor.with_purpose("受理申请（申请人出示证件）"),
            AuditAction.READ,
            object_type="person",
            object_id=person.pk,
            object_label=person_label(person),
        )
        return Applicant(person=person)
    if credit_code:
        code = parse_credit_code(credit_code).code
        org = Organisation.unscoped.filter(credit_code=code).first()
        if org is None:
            raise ValidationError(
                {
                    "applicant_credit_code": ValidationError(
                        _("法人库中没有该统一社会信用代码的记录。"), code="unknown_applicant"
                    )
                }
            )
        audit.record(
            actor.with_purpose("受理申请"),
            AuditAction.READ,
            object_type="organisation",
            object_id=org.pk,
            object_label=f"{org.name} {org.credit_code}",
        )
        return Applicant(organisation=org)
    raise ValidationError(
        _("请提供申请人身份证号码或统一社会信用代码。"), code="applicant_required"
    )


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
) -> Case:
    case = Case(
        case_no=next_number(today()),
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
        submitted_at=timezone.now(),
        promised_days=item.promised_limit_days,
    )
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


@transaction.atomic
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
) -> IntakeResult:
    """Take an application in. Window / agent: accepted, accepted with a pledge (容缺), or
    returned for supplement with the one-time notice — the result says which. Online: see
    `submit_online` (called for channel "online")."""
    if channel == IntakeChannel.ONLINE:
        return submit_online(
            actor=actor, item=item, applicant=applicant, provided=provided, org_unit=org_unit
        )
    staff, consent = staff_intake(actor, item, channel, agent_consent)
    checked = precheck(
        item=item, applicant=applicant, provided=provided, channel=channel, applicable=applicable
    )
    if checked.problems:
        # Not a material the applicant can bring: the clerk refuses with the reason.
        raise ValidationError("；".join(checked.problems), code="applicant_not_eligible")
    if pledge is not None:
        validate_pledge(checked, pledge)
    case = new_case(
        item=item,
        applicant=applicant,
        channel=channel,
        org_unit=staff.org_unit,
        area_code=staff.org_unit.division.prefix,
        agent=staff if channel == IntakeChannel.AGENT else None,
        consent=consent,
        save=False,
    )
    # The case is decided before it is written, so it is inserted once, complete (the intake
    # benchmark counts every statement).
    accept = checked.complete or pledge is not None
    if accept:
        prepare_acceptance(case, checked, staff=staff, pledge=pledge)
    else:
        prepare_return(case, checked, reason="")
    on_site = channel == IntakeChannel.WINDOW
    case.visit_count = int(on_site)
    case.save(force_insert=True)
    file_materials(case, checked)
    if on_site:
        add_visit_row(case, actor=actor, purpose=str(_("提交申请")), org_unit=staff.org_unit)
    if accept:
        finish_acceptance(
            case, checked, actor=actor, pledge=pledge, from_status=CaseStatus.SUBMITTED, notify=True
        )
    else:
        finish_return(
            case, checked, actor=actor, reason="", from_status=CaseStatus.SUBMITTED, notify=True
        )
    return IntakeResult(case, checked)


@transaction.atomic
def submit_online(
    *,
    actor: Actor,
    item: ServiceItem,
    applicant: Applicant,
    provided: ProvidedInput,
    org_unit: OrgUnit | None = None,
) -> IntakeResult:
    """网上申报: the case waits as `submitted` for a clerk of the centre it is addressed to
    (`org_unit`, default: the applicant's street / town) to precheck it."""
    if not item.is_current or not item.online:
        raise ValidationError(
            _("事项“%(item)s”不能网上办理。"), code="item_not_online", params={"item": item.name}
        )
    checked = precheck(
        item=item, applicant=applicant, provided=provided, channel=IntakeChannel.ONLINE
    )
    area = org_unit.division.prefix if org_unit else applicant.area_code[:9]
    case = new_case(
        item=item,
        applicant=applicant,
        channel=IntakeChannel.ONLINE,
        org_unit=org_unit,
        area_code=area,
        user_id=actor.user_id,
    )
    file_materials(case, checked)
    record_event(
        case,
        actor=actor,
        action=EventAction.SUBMITTED,
        from_status=CaseStatus.SUBMITTED,
        data={"notice": checked.notice()},
        message=messages.submitted(case),
    )
    return IntakeResult(case, checked)
