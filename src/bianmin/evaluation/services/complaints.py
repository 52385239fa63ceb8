"""投诉: intake (受理, with double-submission dedupe) and the shared loop — 核实 → 处理 → 答复 →
办结 — with its own working-day limits."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case
from bianmin.core import audit, crypto
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.identifiers import normalize_mobile
from bianmin.core.models import AuditAction
from bianmin.evaluation import messages
from bianmin.evaluation.models import (
    Complaint,
    ComplaintChannel,
    ComplaintSubject,
    FollowUp,
    StepAction,
)
from bianmin.evaluation.services import loop
from bianmin.evaluation.services.common import error, setting, staff_of, today
from bianmin.notifications.services import queue_message
from bianmin.registry.models import OrgUnit, Person, Staff
from bianmin.registry.services.people import hash_of


def _notify(complaint: FollowUp, key: str, body: str) -> None:
    if complaint.complainant_person_id is None and not complaint.complainant_phone:
        return
    queue_message(
        dedupe_key=key,
        body=body,
        recipient_person=complaint.complainant_person,
        recipient_address=complaint.complainant_phone,
        subject=complaint.complaint_no or "",
        related_type="complaint",
        related_id=complaint.complaint_no or complaint.pk,
    )


def raised_by(complaint: FollowUp, actor: Actor, person=None) -> bool:
    """The complainant themself: the portal account that filed it, or the identified person."""
    if (
        complaint.channel == ComplaintChannel.PORTAL
        and actor.user_id is not None
        and actor.user_id == complaint.received_by_user_id
    ):
        return True
    return person is not None and person.pk == complaint.complainant_person_id


KIND = loop.LoopKind(
    model=Complaint,
    object_type="complaint",
    step_fk="complaint",
    act_label="处理",
    verify_setting="COMPLAINT_VERIFY_WORKDAYS",
    answer_setting="COMPLAINT_WORKDAYS",
    concerned_staff=lambda c: {c.staff_id} if c.staff_id else set(),
    raised_by=raised_by,
    notify=_notify,
    answered_text=lambda c: messages.complaint_answered(c),
    resolved_text=lambda c, notes: messages.complaint_resolved(c, notes),
    label=lambda c: f"{c.complaint_no} {c.complainant_name}",
    raiser_id=lambda c: c.complainant_person_id,
)


# --- intake ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    complaint: Complaint
    created: bool  # False: a double submission, answered with the first complaint


@dataclass(frozen=True)
class _Subject:
    key: str
    area_code: str
    org_unit: OrgUnit | None = None
    department_id: str | None = None
    case: Case | None = None
    staff: Staff | None = None


def _subject(
    kind: str,
    *,
    receiver: Staff | None,
    person: Person | None,
    case_no: str,
    staff_id: int | None,
    org_unit_code: str,
    content: str,
) -> _Subject:
    """What the complaint is about decides who answers it (area, unit, department). Any
    resident may complain about any office, so the subject is looked up across scopes."""
    if kind == ComplaintSubject.CASE:
        case = Case.unscoped.select_related("item", "org_unit").filter(case_no=case_no).first()
        if not case_no or case is None:
            raise error("unknown_case", "case_no", case_no=case_no)
        return _Subject(
            f"case:{case.pk}", case.area_code, case.org_unit, case.item.department_id, case=case
        )
    if kind == ComplaintSubject.STAFF:
        staff = Staff.objects.select_related("org_unit__division").filter(pk=staff_id or 0).first()
        if staff is None:
            raise error("unknown_staff", "staff")
        unit = staff.org_unit
        return _Subject(
            f"staff:{staff.pk}", unit.division.prefix, unit, staff.department_id, staff=staff
        )
    if kind == ComplaintSubject.ORG_UNIT:
        unit = OrgUnit.objects.select_related("division").filter(code=org_unit_code).first()
        if unit is None:
            raise error("unknown_org_unit", "org_unit")
        return _Subject(f"org:{unit.code}", unit.division.prefix, unit, unit.department_id)
    if kind != ComplaintSubject.GENERAL:
        raise error("subject_required", "subject_kind")
    digest = hashlib.sha256(" ".join(content.split()).encode()).hexdigest()[:16]
    if receiver is not None:
        return _Subject(f"general:{digest}", receiver.org_unit.division.prefix, receiver.org_unit)
    # Filed on the portal with no subject: the complainant's area, else the city.
    area = person.area_code if person is not None else settings.BIANMIN["HOME_CITY_CODE"][:4]
    return _Subject(f"general:{digest}", area)


def _serialise(key: str) -> None:
    """Two identical submissions at once must not both pass the dedupe check. SQLite already
    serialises writing transactions (BEGIN IMMEDIATE); PostgreSQL takes a transaction-level
    advisory lock on the key."""
    if connection.vendor == "postgresql":
        number = int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


@transaction.atomic
def submit_complaint(
    *,
    actor: Actor,
    channel: str,
    complainant_name: str,
    content: str,
    subject_kind: str,
    case_no: str = "",
    staff_id: int | None = None,
    org_unit_code: str = "",
    complainant_phone: str = "",
    complainant_id_number: str = "",
    person: Person | None = None,
) -> Submitted:
    """受理 a complaint: from the portal (the resident's account, `person` as the portal
    identified them), by phone or at a window (a staff member records it).

    The same complainant about the same subject again within
    `BIANMIN["COMPLAINT_DEDUPE_MINUTES"]` is a double submission: the first complaint is
    returned (`created=False`) and nothing is written."""
    if channel not in ComplaintChannel.values:
        raise error("invalid_complaint_channel", "channel")
    name = (complainant_name or "").strip()
    content = (content or "").strip()
    if not name:
        raise error("name_required", "complainant_name")
    if len(content) < 5:
        raise error("content_required", "content")
    phone = normalize_mobile(complainant_phone) if complainant_phone.strip() else ""
    if person is None and complainant_id_number.strip():
        person = Person.unscoped.filter(id_hash=hash_of(complainant_id_number)).first()
    if person is None and not phone:
        raise error("contact_required", "complainant_phone")
    receiver = staff_of(actor)
    subject = _subject(
        subject_kind,
        receiver=receiver,
        person=person,
        case_no=(case_no or "").strip(),
        staff_id=staff_id,
        org_unit_code=(org_unit_code or "").strip(),
        content=content,
    )
    who = f"p{person.pk}" if person is not None else f"m{crypto.lookup_hash(phone)}"
    key = hashlib.sha256(f"{who}|{subject.key}".encode()).hexdigest()
    _serialise(key)
    since = timezone.now() - dt.timedelta(minutes=setting("COMPLAINT_DEDUPE_MINUTES"))
    first = (
        Complaint.unscoped.filter(dedupe_key=key, opened_at__gte=since)
        .order_by("opened_at", "id")
        .first()
    )
    if first is not None:
        return Submitted(first, created=False)
    complaint = Complaint(
        channel=channel,
        complainant_name=name[:100],
        complainant_person=person,
        complainant_phone=phone,
        subject_kind=subject_kind,
        case=subject.case,
        staff=subject.staff,
        org_unit=subject.org_unit,
        department_id=subject.department_id,
        area_code=subject.area_code,
        content=content,
        dedupe_key=key,
        received_by_user_id=actor.user_id,
        opened_at=timezone.now(),
        opened_on=today(),
    )
    loop.start_round(complaint, KIND)
    complaint.save()
    complaint.complaint_no = f"TS{complaint.opened_on:%Y%m%d}{complaint.pk:06d}"
    complaint.save(update_fields=["complaint_no"])
    loop.record(
        KIND,
        complaint,
        actor=actor,
        action=StepAction.OPENED,
        from_status="",
        notes=content,
        audit_action=AuditAction.CREATE,
    )
    _notify(complaint, f"complaint:{complaint.pk}:received", messages.complaint_received(complaint))
    return Submitted(complaint, created=True)


def access_complaint(*, actor: Actor, complaint_id: int) -> Complaint:
    """One complaint for display, within scope; audited (it names the complainant)."""
    complaint = (
        Complaint.objects.select_related("case__item", "staff", "org_unit", "department")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None:
        if Complaint.unscoped.filter(pk=complaint_id).exists():
            raise OutOfScope()
        raise Complaint.DoesNotExist(_("投诉不存在。"))
    audit.record(
        actor,
        AuditAction.READ,
        object_type="complaint",
        object_id=complaint.pk,
        object_label=KIND.label(complaint),
    )
    return complaint


# --- the loop -------------------------------------------------------------------------------


@transaction.atomic
def verify_complaint(*, actor: Actor, complaint: Complaint, founded: bool, notes: str) -> Complaint:
    return loop.verify(KIND, actor=actor, obj=complaint, founded=founded, notes=notes)


@transaction.atomic
def handle_complaint(*, actor: Actor, complaint: Complaint, notes: str) -> Complaint:
    return loop.act(KIND, actor=actor, obj=complaint, notes=notes)


@transaction.atomic
def answer_complaint(*, actor: Actor, complaint: Complaint, answer: str) -> Complaint:
    return loop.answer(KIND, actor=actor, obj=complaint, text=answer)


@transaction.atomic
def complaint_feedback(
    *,
    actor: Actor,
    complaint: Complaint,
    satisfied: bool | None,
    notes: str = "",
    person: Person | None = None,
) -> Complaint:
    return loop.feedback(
        KIND, actor=actor, obj=complaint, satisfied=satisfied, notes=notes, person=person
    )


@transaction.atomic
def resolve_complaint(*, actor: Actor, complaint: Complaint, notes: str) -> Complaint:
    return loop.resolve(KIND, actor=actor, obj=complaint, notes=notes)
