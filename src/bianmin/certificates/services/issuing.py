"""Issuing, revoking and expiring certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.certificates import signing
from bianmin.certificates.identifiers import build_identifier
from bianmin.certificates.models import (
    Certificate,
    CertificateSource,
    CertificateStatus,
    CertificateType,
    HolderKind,
    HolderTypeCode,
    Issuer,
    SerialCounter,
)
from bianmin.certificates.services.keys import active_key
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.identifiers import parse_credit_code
from bianmin.core.models import AuditAction
from bianmin.registry.models import Department, Division, LifeStatus, Organisation, Person

REASON_DEATH = _("持证人死亡")
REASON_EXPIRED = _("有效期届满")


def _invalid(field: str, message, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def default_valid_until(ctype: CertificateType, issued_on: dt.date) -> dt.date | None:
    """N years of validity end the day before the anniversary of issue."""
    if not ctype.validity_years:
        return None
    return add_years(issued_on, ctype.validity_years) - dt.timedelta(days=1)


def clean_data(ctype: CertificateType, data: dict[str, Any] | None) -> dict[str, Any]:
    """The certificate's data checked against the type's field list: known fields only,
    required ones present, choices among the allowed, dates as YYYY-MM-DD."""
    data = dict(data or {})
    known = {f["name"]: f for f in ctype.fields}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise _invalid(
            "data",
            _("%(type)s没有这些信息项：%(names)s"),
            "unknown_field",
            type=ctype.name,
            names="、".join(unknown),
        )
    cleaned: dict[str, Any] = {}
    for name, spec in known.items():
        value = data.get(name)
        value = str(value).strip() if value is not None else ""
        if not value:
            if spec.get("required"):
                raise _invalid(
                    "data", _("请填写%(label)s。"), "field_required", label=spec["label"]
                )
            continue
        if spec.get("kind") == "choice" and value not in spec.get("choices", []):
            raise _invalid(
                "data", _("%(label)s的取值无效。"), "invalid_choice", label=spec["label"]
            )
        if spec.get("kind") == "date":
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                raise _invalid(
                    "data", _("%(label)s不是有效日期。"), "invalid_date", label=spec["label"]
                ) from None
        cleaned[name] = value
    return cleaned


def _holder_fields(ctype: CertificateType, holder: Person | Organisation) -> dict[str, Any]:
    if isinstance(holder, Person):
        if ctype.holder_kind != HolderKind.PERSON:
            raise _invalid(
                "holder", _("%(type)s的持证主体应为法人。"), "holder_kind", type=ctype.name
            )
        if holder.life_status == LifeStatus.DECEASED:
            raise _invalid("holder", _("持证人已死亡，不能签发证照。"), "holder_deceased")
        return {
            "holder_kind": HolderKind.PERSON,
            "holder_person": holder,
            "holder_type_code": HolderTypeCode.CITIZEN_ID,
            "holder_key": holder.id_hash,
            "holder_name": holder.name,
            "holder_id_masked": holder.id_masked,
            "area_code": holder.area_code,
        }
    if isinstance(holder, Organisation):
        if ctype.holder_kind != HolderKind.ORGANISATION:
            raise _invalid(
                "holder", _("%(type)s的持证主体应为自然人。"), "holder_kind", type=ctype.name
            )
        return {
            "holder_kind": HolderKind.ORGANISATION,
            "holder_org": holder,
            "holder_type_code": HolderTypeCode.CREDIT_CODE,
            "holder_key": holder.credit_code,
            "holder_name": holder.name,
            "holder_id_masked": holder.credit_code,
            "area_code": holder.area_code,
        }
    raise _invalid("holder", _("持证主体应为人员或法人单位。"), "holder_invalid")


def _next_serial(ctype: CertificateType, issuer: Issuer, year: int) -> str:
    counter, _created = SerialCounter.objects.select_for_update().get_or_create(
        type=ctype, issuer=issuer, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}{counter.last:06d}"


def issuer_for(*, department_code: str, area_code: str) -> Issuer | None:
    """The department's issuing authority nearest the area: the one whose division is the
    longest prefix of `area_code` (a district's before the city's); None when no authority of
    the department covers the area."""
    candidates = list(
        Issuer.objects.filter(department_id=department_code).select_related("division")
    )
    covering = [i for i in candidates if area_code.startswith(i.division.prefix)]
    return max(covering, key=lambda i: len(i.division.prefix), default=None)


@transaction.atomic
def register_issuer(
    *, actor: Actor, credit_code: str, name: str, department_code: str, division_code: str
) -> Issuer:
    """Register (or rename) an issuing authority; its credit code goes into identifiers, so it
    must be a valid GB 32100 code."""
    parsed = parse_credit_code(credit_code)
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("请填写机构名称。"), "name_required")
    department = Department.objects.filter(pk=department_code).first()
    if department is None:
        raise _invalid("department_code", _("部门不存在。"), "unknown_department")
    division = Division.objects.filter(pk=division_code).first()
    if division is None:
        raise _invalid("division_code", _("行政区划不存在。"), "unknown_division")
    issuer, created = Issuer.objects.update_or_create(
        credit_code=parsed.code,
        defaults={"name": name, "department": department, "division": division},
    )
    audit.record(
        actor,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type="certificate_issuer",
        object_id=issuer.pk,
        object_label=issuer.name,
        changes={"department": department.code, "division": division.code},
    )
    return issuer


@transaction.atomic
def issue_certificate(
    *,
    actor: Actor,
    type_code: str,
    holder: Person | Organisation,
    issuer: Issuer | str,
    data: dict[str, Any] | None,
    issued_on: dt.date,
    valid_until: dt.date | None = None,
    source: str = CertificateSource.MANUAL,
    source_system: str = "",
    case=None,
) -> Certificate:
    """Issue (or load from a department's system, `source="exchange"`) one certificate: checks
    the data against the type, numbers it, signs it, audits it. `valid_until` defaults to the
    type's validity counted from `issued_on` (None: no end). `issuer` is an `Issuer` or its
    credit code."""
    if not isinstance(issuer, Issuer):
        found = Issuer.objects.filter(pk=str(issuer or "").strip().upper()).first()
        if found is None:
            raise _invalid("issuer", _("发证机构未登记。"), "unknown_issuer")
        issuer = found
    ctype = CertificateType.objects.filter(pk=type_code).first()
    if ctype is None:
        raise _invalid("type_code", _("证照类型不存在。"), "unknown_type")
    if source not in CertificateSource.values:
        raise _invalid("source", _("证照来源无效。"), "invalid_source")
    if source == CertificateSource.CASE and case is None:
        raise _invalid("case", _("办件签发的证照须关联办件。"), "case_required")
    holder_fields = _holder_fields(ctype, holder)
    cleaned = clean_data(ctype, data)
    if issued_on > timezone.localdate():
        raise _invalid("issued_on", _("颁发日期不能晚于今天。"), "future_date")
    if valid_until is None:
        valid_until = default_valid_until(ctype, issued_on)
    if valid_until is not None and valid_until < issued_on:
        raise _invalid("valid_until", _("有效期不能早于颁发日期。"), "invalid_validity")

    serial = _next_serial(ctype, issuer, issued_on.year)
    identifier = build_identifier(
        type_code=ctype.type_code, issuer_code=issuer.credit_code, serial=serial, version=1
    )
    key = active_key(actor=actor)
    cert = Certificate(
        identifier=identifier,
        type=ctype,
        issuer=issuer,
        issuer_name=issuer.name,
        issuer_credit_code=issuer.credit_code,
        serial=serial,
        version=1,
        data=cleaned,
        issued_on=issued_on,
        valid_until=valid_until,
        signing_key=key,
        source=source,
        source_system=source_system,
        case=case,
        **holder_fields,
    )
    cert.signature = signing.sign(key, signing.canonical_content(cert))
    cert.save(force_insert=True)
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="certificate",
        object_id=cert.pk,
        object_label=f"{ctype.name} {identifier}",
        changes={
            "holder": cert.holder_name,
            "source": source,
            "case": getattr(case, "case_no", None),
            "key": key.key_id,
        },
    )
    return cert


@transaction.atomic
def revoke(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    """Mark a valid certificate revoked (注销), with reason and time. The scoped manager
    refuses one outside the actor's area."""
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("请填写注销原因。"), "reason_required")
    cert = Certificate.objects.select_for_update().filter(pk=certificate.pk).first()
    if cert is None:
        raise Certificate.DoesNotExist(_("未找到该证照。"))
    if cert.status != CertificateStatus.VALID:
        raise ValidationError(_("只有有效的证照可以注销。"), code="not_valid")
    return _set_status(actor, cert, CertificateStatus.REVOKED, reason)


def _set_status(actor: Actor, cert: Certificate, status: str, reason: str) -> Certificate:
    old = cert.status
    cert.status, cert.status_reason, cert.status_changed_at = status, reason, timezone.now()
    cert.save(update_fields=["status", "status_reason", "status_changed_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="certificate",
        object_id=cert.pk,
        object_label=cert.identifier,
        changes={"status": [old, status], "reason": reason},
    )
    return cert


@transaction.atomic
def revoke_for_death(*, actor: Actor, person_id: int) -> int:
    """Every valid certificate of a deceased person revoked, reason 持证人死亡."""
    certs = list(
        Certificate.unscoped.select_for_update().filter(
            holder_person_id=person_id, status=CertificateStatus.VALID
        )
    )
    for cert in certs:
        _set_status(actor, cert, CertificateStatus.REVOKED, str(REASON_DEATH))
    return len(certs)


@transaction.atomic
def expire_due(*, actor: Actor = audit.SYSTEM, today: dt.date | None = None) -> int:
    """The daily job: valid certificates past their last valid day become expired."""
    today = today or timezone.localdate()
    due = list(
        Certificate.unscoped.select_for_update().filter(
            status=CertificateStatus.VALID, valid_until__lt=today
        )
    )
    for cert in due:
        _set_status(actor, cert, CertificateStatus.EXPIRED, str(REASON_EXPIRED))
    return len(due)
