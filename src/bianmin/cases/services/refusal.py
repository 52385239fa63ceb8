"""不予受理 of a new application at the window or through an agent.

`acceptance.refuse_acceptance` refuses a case that is already waiting (online, or returned for
supplement); an application refused on the spot — the applicant does not meet the item's
conditions, or the matter is not for this authority — had no way in: `take_in` raises on an
ineligible applicant. It is still recorded, with a case number, because the refusal has to be
given in writing with its reasons (《行政许可法》第三十二条) and supervision counts it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import CaseStatus, EventAction, IntakeChannel
from bianmin.cases.services import messages
from bianmin.cases.services.acceptance import file_materials
from bianmin.cases.services.common import record_event, require_reason, today
from bianmin.cases.services.intake import (
    AgentConsent,
    IntakeResult,
    ProvidedInput,
    new_case,
    staff_intake,
    taken_in_by,
)
from bianmin.cases.services.precheck import Applicant, Outcome, precheck
from bianmin.cases.services.visits import add_visit_row
from bianmin.catalog.models import ServiceItem
from bianmin.core.audit import Actor


@transaction.atomic
def refuse_at_intake(
    *,
    actor: Actor,
    item: ServiceItem,
    applicant: Applicant,
    provided: ProvidedInput,
    channel: str,
    reason: str,
    agent_consent: AgentConsent | None = None,
) -> IntakeResult:
    """不予受理 a new application: the case is written once, already `not_accepted`, with
    what was handed in on file, the visit counted and the applicant told why."""
    staff, consent = staff_intake(actor, item, channel, agent_consent)
    reason = require_reason(reason)
    checked = precheck(item=item, applicant=applicant, provided=provided, channel=channel)
    case = new_case(
        item=item,
        applicant=applicant,
        channel=channel,
        **taken_in_by(staff, channel),
        consent=consent,
        save=False,
    )
    case.status = CaseStatus.NOT_ACCEPTED
    case.closed_at, case.closed_on = timezone.now(), today()
    on_site = channel == IntakeChannel.WINDOW
    case.visit_count = int(on_site)
    case.save(force_insert=True)
    # What was handed in; nothing is fetched from sharing for an application not taken in.
    file_materials(
        case, checked, only={c.code for c in checked.checks if c.outcome == Outcome.SUBMITTED}
    )
    if on_site:
        add_visit_row(case, actor=actor, purpose=str(_("提交申请")), org_unit=staff.org_unit)
    record_event(
        case,
        actor=actor,
        action=EventAction.NOT_ACCEPTED,
        from_status=CaseStatus.SUBMITTED,
        reason=reason,
        data={"problems": list(checked.problems), "at_intake": True},
        message=messages.not_accepted(case, reason),
    )
    return IntakeResult(case, checked)
