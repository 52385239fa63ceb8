"""The one gate to a person's shared data: grant, scope, consent, then the provider — and a
log entry either way (数据调用留痕)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.sources import CERTIFICATE_TYPES
from bianmin.core import audit, prepared
from bianmin.core.audit import Actor, AuditAction
from bianmin.core.prepared import PreparedQuery
from bianmin.registry.models import Department, Organisation, Person
from bianmin.sharing.models import (
    AccessOutcome,
    Consent,
    DataAccess,
    Grant,
    SharedDataItem,
)
from bianmin.sharing.providers import provider_for
from bianmin.sharing.services.common import department_of


class AccessDenied(PermissionDenied):
    """Refused by the gate; `code` says why (no_grant, grant_expired, out_of_scope,
    no_consent, consent_withdrawn, no_department)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# Asked on every fetch (each intake fetches its shared materials): compiled once per connection.
_item_with_owner = PreparedQuery(
    lambda code: SharedDataItem.objects.select_related("owner").filter(code=code)
)
_unrevoked_grants = PreparedQuery(
    lambda department, item: Grant.objects.filter(
        department_id=department, item_id=item, revoked_at__isnull=True
    )
)


def _refusal(item: SharedDataItem, department: Department | None, person: Person, day):
    """(code, message) when the department may not read the item for this person, else None."""
    if department is None:
        return "no_department", _("您的账号不属于任何部门，不能调取共享数据。")
    if department.pk == item.owner_id:
        return None  # the owner reads its own data; consent governs sharing with others
    grants = _unrevoked_grants(department.pk, item.pk)
    area = person.area_code or ""
    covering = [g for g in grants if area.startswith(g.scope_prefix)]
    if not any(g.active_on(day) for g in covering):
        if any(g.valid_until < day for g in covering):
            return "grant_expired", _("%(dept)s调取“%(item)s”的授权已过期。") % {
                "dept": department.name,
                "item": item.name,
            }
        if any(g.active_on(day) for g in grants):
            return "out_of_scope", _("该人员不在%(dept)s“%(item)s”授权的使用范围内。") % {
                "dept": department.name,
                "item": item.name,
            }
        return "no_grant", _("%(dept)s未获得“%(item)s”的共享授权。") % {
            "dept": department.name,
            "item": item.name,
        }
    if item.sensitive:
        consents = Consent.unscoped.filter(person=person, item=item).filter(
            Q(department__isnull=True) | Q(department=department)
        )
        if not consents.filter(withdrawn_at__isnull=True).exists():
            if consents.exists():
                return "consent_withdrawn", _("本人已撤回对“%(item)s”的授权。") % {
                    "item": item.name
                }
            return "no_consent", _("“%(item)s”为敏感数据，须经本人授权。") % {"item": item.name}
    return None


def log_access(
    *,
    actor: Actor,
    department: Department | None,
    code: str,
    name: str,
    person: Person | None,
    organisation: Organisation | None = None,
    purpose: str,
    case,
    outcome: str,
    reason_code: str = "",
    reason: str = "",
    at=None,
) -> DataAccess:
    """A log entry (数据调用留痕) and its audit entry. Intake reads before its case exists and
    logs the read with the case, in the same transaction (`materials.record_fetched`)."""
    area = (person.area_code if person else organisation.area_code if organisation else "") or ""
    access = DataAccess(
        at=at or timezone.now(),
        user_id=actor.user_id,
        actor_name=actor.name[:150],
        org_unit_code=actor.org_unit_code,
        department=department,
        item_code=code,
        item_name=str(name)[:60],
        person=person,
        organisation=organisation,
        area_code=area,
        purpose=purpose[:200],
        case=case,
        outcome=outcome,
        reason_code=reason_code,
        reason=str(reason)[:200],
    )
    prepared.insert(access)
    changes = {
        "shared_item": code,
        "shared_item_name": str(name),
        "department": department.pk if department else "",
        "department_name": department.name if department else "",
        "outcome": outcome,
        "case": case.case_no if case is not None else "",
    }
    who = actor.with_purpose(purpose)
    if outcome == AccessOutcome.DENIED or person is None:
        # A refusal read nothing: it is audited against the log entry, not the person.
        audit.record(
            who,
            AuditAction.READ,
            object_type="shared_data",
            object_id=access.pk,
            object_label=str(name),
            changes={**changes, "reason": reason_code},
        )
    else:
        audit.record(
            who,
            AuditAction.READ,
            object_type="person",
            object_id=person.pk,
            object_label=str(name),
            changes=changes,
        )
    return access


def gate(
    *, actor: Actor, item_code: str, person: Person, department: Department | None = None
) -> tuple[SharedDataItem, Department | None, tuple[str, Any] | None, Any]:
    """The gate's verdict, without reading the person's data nor writing anything:
    (item, acting department, (code, message) of a refusal or None, the provider). Intake
    asks it before a case exists (the read and its log entry follow with the case), and the
    window's live precheck asks it to say at once what sharing will not supply."""
    found = _item_with_owner(item_code)
    item = found[0] if found else None
    if item is None:
        raise ValidationError(
            _("共享数据目录中没有“%(code)s”。"), code="unknown_item", params={"code": item_code}
        )
    department = department or department_of(actor)
    refusal = _refusal(item, department, person, timezone.localdate())
    provider = provider_for(item.code)
    if refusal is None and provider is None:
        refusal = "no_provider", _("“%(item)s”尚无数据来源，不能共享获取。") % {"item": item.name}
    return item, department, refusal, provider


def fetch_logged(
    *,
    actor: Actor,
    item_code: str,
    person: Person,
    purpose: str,
    case=None,
    department: Department | None = None,
    at=None,
) -> tuple[DataAccess, dict[str, Any] | None]:
    """`fetch`, returning the log entry too (the materials record which access filled them)."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError(
            {"purpose": ValidationError(_("调取共享数据须说明用途。"), code="purpose_required")}
        )
    item, department, refusal, provider = gate(
        actor=actor, item_code=item_code, person=person, department=department
    )
    if refusal is not None:
        code, message = refusal
        # Written before raising: a caller without a transaction gets it committed; one inside
        # a transaction keeps it if it catches the refusal (intake does).
        with transaction.atomic(savepoint=False):
            log_access(
                actor=actor,
                department=department,
                code=item.code,
                name=item.name,
                person=person,
                purpose=purpose,
                case=case,
                outcome=AccessOutcome.DENIED,
                reason_code=code,
                reason=message,
                at=at,
            )
        if code == "no_provider":
            raise ValidationError(message, code=code)
        raise AccessDenied(str(message), code=code)
    with transaction.atomic(savepoint=False):
        data = provider(person)
        access = log_access(
            actor=actor,
            department=department,
            code=item.code,
            name=item.name,
            person=person,
            purpose=purpose,
            case=case,
            outcome=AccessOutcome.ALLOWED if data is not None else AccessOutcome.NOT_FOUND,
            reason_code="" if data is not None else "no_record",
            reason="" if data is not None else _("数据提供部门无该人员记录。"),
            at=at,
        )
    return access, data


def fetch(
    *,
    actor: Actor,
    item_code: str,
    person: Person,
    purpose: str,
    case=None,
    department: Department | None = None,
) -> dict[str, Any] | None:
    """A person's data of one shared item, for a purpose: the acting department (the
    actor's, or `department` when a case's handling department reads it) must own the item
    or hold a grant that is in force and covers the person's area; a sensitive item also
    needs the person's consent. Every call is logged and audited, refusals too.

    Returns the provider's data, or None when the holder has no record of the person.
    Raises `AccessDenied` (a PermissionDenied with `code`) or ValidationError
    (unknown_item, purpose_required, no_provider)."""
    _access, data = fetch_logged(
        actor=actor,
        item_code=item_code,
        person=person,
        purpose=purpose,
        case=case,
        department=department,
    )
    return data


def find_certificate(*, type_code: str, holder: Person | Organisation) -> Any:
    """The holder's certificate in force of one type, or None; not logged (callers log)."""
    if type_code not in CERTIFICATE_TYPES:
        raise ValidationError(
            _("没有证照类型“%(code)s”。"),
            code="unknown_certificate_type",
            params={"code": type_code},
        )
    try:
        from bianmin.certificates.queries import current_certificate
    except ImportError:  # the certificate library is not installed here
        return None
    return current_certificate(holder=holder, type_code=type_code)


def fetch_certificate(
    *,
    actor: Actor,
    type_code: str,
    holder: Person | Organisation,
    purpose: str,
    case=None,
    department: Department | None = None,
    at=None,
) -> tuple[DataAccess, Any]:
    """The holder's certificate in force of one type from the e-certificate library (电子证照
    库), logged like a shared-data read. Certificates are issued to be used by every
    department handling the holder's affairs (一证通用), so no grant is needed; the read is
    still on file. Returns (log entry, certificate or None)."""
    certificate = find_certificate(type_code=type_code, holder=holder)
    person = holder if isinstance(holder, Person) else None
    organisation = holder if isinstance(holder, Organisation) else None
    with transaction.atomic(savepoint=False):
        access = log_access(
            actor=actor,
            department=department or department_of(actor),
            code=type_code,
            name=CERTIFICATE_TYPES[type_code],
            person=person,
            organisation=organisation,
            purpose=purpose,
            case=case,
            outcome=AccessOutcome.ALLOWED if certificate is not None else AccessOutcome.NOT_FOUND,
            reason_code="" if certificate is not None else "no_certificate",
            reason="" if certificate is not None else _("电子证照库中没有有效的该类证照。"),
            at=at,
        )
    return access, certificate


def certificate_identifier(certificate: Any) -> str:
    for attr in ("identifier", "number", "license_no"):
        value = getattr(certificate, attr, "")
        if value:
            return str(value)
    return str(certificate)
