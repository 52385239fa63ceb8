"""Shared by every case service: who the actor is, fetching a case within scope, and writing
a transition (event + notifications) in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case, CaseEvent, CaseStatus
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.identifiers import normalize_mobile
from bianmin.core.models import AuditAction
from bianmin.notifications.models import Channel
from bianmin.notifications.services import queue_message
from bianmin.registry.models import Role, Staff


def today() -> dt.date:
    return timezone.localdate()


def moment(on: dt.date | None = None) -> tuple[dt.date, dt.datetime]:
    """The day and the time a service acts on: now by default. `on` back-dates the act — the
    demo city's weeks of history (`cases.demo`), records brought over from paper — a date
    meaning that day at the present time of day, a datetime that very moment. Checks made
    against "today" (a pledge date, the day a pause starts) use the same day."""
    if on is None:
        now = timezone.now()
        return timezone.localdate(now), now
    if isinstance(on, dt.datetime):
        at = on if timezone.is_aware(on) else timezone.make_aware(on)
        return timezone.localdate(at), at
    at = dt.datetime.combine(on, timezone.localtime().time().replace(tzinfo=None))
    return on, timezone.make_aware(at)


# --- who acts -------------------------------------------------------------------------------


def staff_of(actor: Actor) -> Staff | None:
    """The actor's Staff row. A caller that already holds it (the API's token authentication
    loads it with the user) passes it in `actor.extra["staff"]` and saves the query."""
    if actor.user_id is None:
        return None
    known = actor.extra.get("staff") if actor.extra else None
    if known is not None and known.user_id == actor.user_id:
        return known
    return (
        Staff.objects.select_related("org_unit__division", "department")
        .filter(user_id=actor.user_id)
        .first()
    )


def require_staff(actor: Actor, roles: Iterable[str] | None = None) -> Staff:
    staff = staff_of(actor)
    if staff is None:
        raise PermissionDenied(_("需要工作人员账号办理。"))
    if roles is not None and staff.role not in set(roles) | {Role.ADMIN}:
        raise PermissionDenied(
            _("您的岗位（%(role)s）不能办理此项操作。") % {"role": staff.get_role_display()}
        )
    return staff


def in_department(staff: Staff, *department_codes: str) -> bool:
    return staff.role == Role.ADMIN or staff.department_id in department_codes


# --- the case -------------------------------------------------------------------------------


def locked(case: Case | str) -> Case:
    """The case re-read under a row lock, within the acting user's scope: 403 outside it.

    Every transition starts here, so two clerks acting on one case at once are serialised
    and the second sees the first's result (and fails its state check cleanly)."""
    lookup = {"case_no": case} if isinstance(case, str) else {"pk": case.pk}
    found = Case.objects.select_for_update().filter(**lookup).first()
    if found is None:
        if Case.unscoped.filter(**lookup).exists():
            raise OutOfScope()
        raise Case.DoesNotExist(_("办件不存在。"))
    return found


def locked_for_applicant(case: Case | str, *, actor: Actor, person=None) -> Case:
    """The case re-read under a row lock for its own applicant acting on the portal: the
    account that filed it online, or `person` (as the portal identified them) being the
    applicant. A resident has no staff scope, so ownership, not area, decides."""
    lookup = {"case_no": case} if isinstance(case, str) else {"pk": case.pk}
    owner = Q(pk__in=[])
    if actor.user_id is not None:
        owner |= Q(submitted_by_user_id=actor.user_id)
    if person is not None:
        owner |= Q(applicant_person_id=person.pk)
    found = Case.unscoped.select_for_update().filter(owner, **lookup).first()
    if found is None:
        raise Case.DoesNotExist(_("办件不存在。"))
    return found


def access_case(*, actor: Actor, case_no: str) -> Case:
    """One case for display, within scope; the read is audited (a case shows its applicant)."""
    from bianmin.cases.queries import detail_queryset

    case = detail_queryset().filter(case_no=case_no).first()
    if case is None:
        if Case.unscoped.filter(case_no=case_no).exists():
            raise OutOfScope()
        raise Case.DoesNotExist(_("办件不存在。"))
    audit.record(
        actor,
        AuditAction.READ,
        object_type="case",
        object_id=case.case_no,
        object_label=f"{case.case_no} {case.applicant_name}",
    )
    return case


def invalid_transition(case: Case, action: str) -> ValidationError:
    return ValidationError(
        _("办件%(case_no)s当前状态为“%(status)s”，不能%(action)s。"),
        code="invalid_transition",
        params={"case_no": case.case_no, "status": case.get_status_display(), "action": action},
    )


def require_status(case: Case, allowed: Iterable[str], action: str) -> None:
    if case.status not in set(allowed):
        raise invalid_transition(case, action)


def refuse_single_member(case: Case) -> None:
    """A bundle's item is not accepted, returned, refused or resubmitted on its own before
    the application is accepted (`bundle_acts` acts on the whole)."""
    if case.bundle_application_id is not None and case.accepted_at is None:
        raise ValidationError(
            _(
                "办件%(case_no)s属于联办申请%(bundle_no)s，受理、补正和不予受理须对联办申请"
                "整体办理。"
            ),
            code="bundle_as_whole",
            params={"case_no": case.case_no, "bundle_no": case.bundle_application.bundle_no},
        )


def require_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({field: ValidationError(_("请填写理由。"), code="reason_required")})
    return reason


# --- the history and the messages -----------------------------------------------------------


def new_event(
    case: Case,
    *,
    actor: Actor,
    action: str,
    from_status: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """The event of a transition, not yet saved (intake writes it with the case's other rows
    in one statement; `record_event` saves it at once)."""
    return CaseEvent(
        case=case,
        at=at or timezone.now(),
        action=action,
        from_status=from_status,
        to_status=case.status,
        actor_user_id=actor.user_id,
        actor_name=actor.name[:150],
        org_unit_code=actor.org_unit_code,
        reason=reason,
        data=data or {},
    )


def announce(case: Case, event: CaseEvent, message: str | None) -> None:
    """Queue the applicant's messages about a saved event (keyed by the event, so a re-run
    never sends twice)."""
    if message:
        notify_applicant(case, key=f"case:{case.case_no}:{event.pk}", body=message)


def record_event(
    case: Case,
    *,
    actor: Actor,
    action: str,
    from_status: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    message: str | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Write the event of a transition and queue its messages, in the caller's transaction:
    a transition that rolls back leaves neither history nor a message behind."""
    event = new_event(
        case, actor=actor, action=action, from_status=from_status, reason=reason, data=data, at=at
    )
    event.save(force_insert=True)
    announce(case, event, message)
    return event


def _is_mobile(phone: str) -> bool:
    try:
        normalize_mobile(phone)
    except ValidationError:
        return False
    return True


def notify_applicant(case: Case, *, key: str, body: str) -> None:
    """The applicant by SMS (a person's registered mobile, an organisation's phone); the agent
    who applied on their behalf, and the resident's portal account, in the app."""
    common = {"related_type": "case", "related_id": case.case_no, "subject": case.case_no}
    if case.applicant_person_id is not None:
        queue_message(dedupe_key=key, body=body, recipient_person=case.applicant_person, **common)
    elif case.applicant_org is not None:
        org = case.applicant_org
        if _is_mobile(org.phone) or org.legal_rep_id is None:
            queue_message(dedupe_key=key, body=body, recipient_address=org.phone, **common)
        else:
            # An enterprise's registered phone is usually a landline (027-…), which takes no
            # SMS: the legal representative's registered mobile gets the message instead.
            queue_message(dedupe_key=key, body=body, recipient_person=org.legal_rep, **common)
    user_model = get_user_model()
    if case.agent_id is not None:
        queue_message(
            dedupe_key=f"{key}:agent",
            body=body,
            channel=Channel.IN_APP,
            recipient_user=user_model(pk=case.agent.user_id),
            **common,
        )
    if case.submitted_by_user_id is not None:
        queue_message(
            dedupe_key=f"{key}:user",
            body=body,
            channel=Channel.IN_APP,
            recipient_user=user_model(pk=case.submitted_by_user_id),
            **common,
        )


def save(case: Case, *fields: str) -> None:
    case.save(update_fields=[*fields, "updated_at"])


__all__ = [
    "CaseStatus",
    "access_case",
    "announce",
    "in_department",
    "invalid_transition",
    "locked",
    "locked_for_applicant",
    "moment",
    "new_event",
    "notify_applicant",
    "record_event",
    "require_reason",
    "require_staff",
    "require_status",
    "save",
    "staff_of",
    "today",
]
