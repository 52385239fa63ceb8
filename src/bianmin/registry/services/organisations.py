"""The 法人库: organisations keyed by unified social credit code."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.identifiers import parse_credit_code
from bianmin.core.models import AuditAction
from bianmin.registry.models import DivisionLevel, Organisation, Person
from bianmin.registry.services.people import ensure_in_scope, hash_of, resolve_division


def _duplicate() -> ValidationError:
    return ValidationError(
        {
            "credit_code": ValidationError(
                _("该统一社会信用代码已登记在法人库中，请勿重复登记。"),
                code="duplicate_credit_code",
            )
        }
    )


@transaction.atomic
def create_organisation(
    *,
    actor: Actor,
    credit_code: str,
    name: str,
    division: str | None = None,
    address: str = "",
    phone: str = "",
    legal_rep_id_number: str | None = None,
    established: dt.date | None = None,
) -> Organisation:
    errors: dict[str, list[ValidationError]] = {}
    parsed = None
    try:
        parsed = parse_credit_code(credit_code)
    except ValidationError as e:
        errors["credit_code"] = e.error_list
    name = (name or "").strip()
    if not name:
        errors["name"] = [ValidationError(_("请填写单位名称。"), code="name_required")]
    div = None
    try:
        div = resolve_division(division)
    except ValidationError as e:
        errors.update(e.error_dict)
    rep = None
    if legal_rep_id_number:
        try:
            rep = Person.unscoped.filter(id_hash=hash_of(legal_rep_id_number)).first()
            if rep is None:
                errors["legal_rep_id_number"] = [
                    ValidationError(
                        _("法定代表人不在人口库中，请先登记该人员。"), code="legal_rep_unknown"
                    )
                ]
        except ValidationError as e:
            errors["legal_rep_id_number"] = e.error_list
    if errors:
        raise ValidationError(errors)
    if div is not None and div.level < DivisionLevel.COUNTY:
        raise ValidationError(
            {
                "division": ValidationError(
                    _("住所所在区划应至少到县（区）一级。"), code="division_level"
                )
            }
        )
    area = div.prefix if div is not None else parsed.region_code.rstrip("0")
    ensure_in_scope(area)
    if Organisation.unscoped.filter(credit_code=parsed.code).exists():
        raise _duplicate()
    org = Organisation(
        credit_code=parsed.code,
        name=name,
        registrar=parsed.registrar,
        org_category=parsed.org_category,
        division=div,
        address=address,
        phone=phone,
        legal_rep=rep,
        established=established,
        area_code=area,
    )
    try:
        with transaction.atomic():
            org.save(force_insert=True)
    except IntegrityError:
        raise _duplicate() from None
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="organisation",
        object_id=org.pk,
        object_label=f"{org.name} {org.credit_code}",
        changes={"name": name, "category": parsed.org_category},
    )
    return org


def access_organisation(*, actor: Actor, organisation_id: int) -> Organisation:
    org = (
        Organisation.objects.select_related("division", "legal_rep")
        .filter(pk=organisation_id)
        .first()
    )
    if org is None:
        if Organisation.unscoped.filter(pk=organisation_id).exists():
            raise OutOfScope()
        raise Organisation.DoesNotExist
    audit.record(
        actor,
        AuditAction.READ,
        object_type="organisation",
        object_id=org.pk,
        object_label=f"{org.name} {org.credit_code}",
    )
    return org
