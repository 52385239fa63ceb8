"""Read models of the portal: the online catalogue for one resident, and the resident's own
audit trail (谁查看了我的信息). Callers pass what `portal.access` returned; nothing here takes an
id from a request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.models import ApplicantKind, ServiceItem
from bianmin.catalog.queries import eligible_items, search_items
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.notifications.models import Channel, OutboxMessage, OutboxStatus
from bianmin.notifications.queries import inbox_for
from bianmin.registry.models import OrgUnit, Person, Staff

# --- 办事服务 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    item: ServiceItem
    suggested: bool  # an item for a group (age, key-population tags) the person belongs to
    fits: bool  # not ruled out by age or tags (open to everyone, or to the person's group)
    for_organisation: bool  # filed in the name of an organisation the resident represents


def online_items(person: Person | None, *, q: str = "", represents: bool = False) -> list[ItemRow]:
    """Current items that can be done online: first those meant for a group the person belongs
    to (a suggestion, never a refusal), then those open to everyone, then those filed by
    organisations (for a legal representative), and last those whose age or group condition
    the person does not meet."""
    items = list(search_items(q=q, online=True))
    fitting = set(eligible_items(person).values_list("pk", flat=True)) if person else set()
    tagged = set(
        ServiceItem.eligible_tags.through.objects.filter(
            serviceitem_id__in=[i.pk for i in items]
        ).values_list("serviceitem_id", flat=True)
    )
    rows = []
    for item in items:
        for_org = item.applicant_kind == ApplicantKind.ORGANISATION
        if for_org and not represents:
            continue
        targeted = item.eligible_min_age is not None or item.pk in tagged
        fits = person is None or for_org or item.pk in fitting
        rows.append(ItemRow(item, targeted and item.pk in fitting, fits, for_org))
    rows.sort(key=lambda r: (not r.suggested, not r.fits, r.for_organisation))
    return rows


def online_item(code: str) -> ServiceItem | None:
    return (
        search_items(online=True)
        .filter(code=code)
        .prefetch_related("materials", "eligible_tags")
        .first()
    )


# --- 谁查看了我的信息 -------------------------------------------------------------------------

# Reads, reveals and changes of the resident's record, and reads of their case files (which
# show their name and number). Searches are logged without the people they found.
_ACTIONS = (
    AuditAction.CREATE,
    AuditAction.READ,
    AuditAction.REVEAL,
    AuditAction.UPDATE,
    AuditAction.EXPORT,
)


def access_log(person: Person, *, case_nos: list[str]) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        Q(object_type="person", object_id=str(person.pk))
        | Q(object_type="case", object_id__in=case_nos),
        action__in=_ACTIONS,
    ).order_by("-id")


@dataclass(frozen=True)
class AccessRow:
    at: dt.datetime
    who: str  # "本人", or the role and the unit — never a staff member's name
    unit: str
    action: str
    what: str
    purpose: str


def describe(entries: list[AuditEntry], *, own_user_id: int) -> list[AccessRow]:
    """Each entry as the resident is shown it: the unit and the role of whoever read, as the
    national practice shows it (the unit answers for its staff; a name would expose the
    clerk without helping the resident, who can complain about the unit's access)."""
    units = dict(
        OrgUnit.objects.filter(
            code__in={e.org_unit_code for e in entries if e.org_unit_code}
        ).values_list("code", "name")
    )
    staff = {
        s.user_id: s
        for s in Staff.objects.select_related("org_unit").filter(
            user_id__in={e.actor_id for e in entries if e.actor_id}
        )
    }
    rows = []
    for e in entries:
        member = staff.get(e.actor_id)
        if e.actor_id is not None and e.actor_id == own_user_id:
            who, unit = str(_("本人")), ""
        elif member is not None:
            who, unit = member.get_role_display(), units.get(e.org_unit_code, member.org_unit.name)
        else:
            who, unit = str(_("系统")), units.get(e.org_unit_code, "")
        shared = e.changes.get("shared_item_name") if isinstance(e.changes, dict) else None
        if e.object_type == "case":
            what = str(_("办件 %(no)s") % {"no": e.object_id})
        elif shared:
            # A read through the sharing gate (sharing.services.fetch): the item and the
            # department that used it.
            dept = e.changes.get("department_name") or ""
            what = f"{shared}（{dept}）" if dept else shared
        else:
            what = str(_("个人基本信息"))
        rows.append(AccessRow(e.at, who, unit, e.get_action_display(), what, e.purpose))
    return rows


# --- 消息 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    at: dt.datetime
    subject: str
    body: str
    related_type: str
    related_id: str
    inbox_id: int | None  # an in-app message (can be marked read); None: a copy of an SMS
    unread: bool


def messages_for(user, person: Person, *, case_no: str = "", limit: int = 200) -> list[Message]:
    """Everything pushed to the resident, newest first: the in-app messages of their account
    (online applications, with read/unread), and the SMS texts sent to their registered mobile
    about anything else (a case filed at a window, a complaint) — so the portal shows every
    step whichever way the case came in. An SMS whose in-app twin is already listed is left
    out (the cases service sends both for an online application)."""
    inbox = inbox_for(user=user).select_related("message")
    sms = OutboxMessage.objects.filter(recipient_person=person, channel=Channel.SMS).exclude(
        status=OutboxStatus.CANCELLED
    )
    if case_no:
        inbox = inbox.filter(related_type="case", related_id=case_no)
        sms = sms.filter(related_type="case", related_id=case_no)
    items = list(inbox[:limit])
    twins = {i.message.dedupe_key.removesuffix(":user") for i in items if i.message_id is not None}
    found = [
        Message(i.created_at, i.subject, i.body, i.related_type, i.related_id, i.pk, not i.read_at)
        for i in items
    ]
    found += [
        Message(m.created_at, m.subject, m.body, m.related_type, m.related_id, None, False)
        for m in sms.order_by("-created_at", "-pk")[:limit]
        if m.dedupe_key not in twins
    ]
    found.sort(key=lambda m: m.at, reverse=True)
    return found[:limit]
