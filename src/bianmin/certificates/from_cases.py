"""Certificates issued by approved cases (`cases.signals.case_decided`).

The receiver runs inside the decision's transaction, so the certificate is committed with the
approval. The certificate's data is filled from the registers (the person's or organisation's
record); a case whose holder does not fit the type or whose department has no registered
issuing authority for the area issues nothing, and the approval stands — the window can issue
the certificate once the authority is registered.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bianmin.certificates.models import Certificate, CertificateSource, CertificateType, HolderKind
from bianmin.certificates.services import issue_certificate, issuer_for
from bianmin.registry.models import Organisation, Person

logger = logging.getLogger(__name__)

ELDERLY_LEVELS = ((80, "80周岁以上"), (70, "70周岁以上"), (60, "60周岁以上"))


def type_for_item(item) -> CertificateType | None:
    if item.result_certificate_type:
        found = CertificateType.objects.filter(pk=item.result_certificate_type).first()
        if found is not None:
            return found
    for ctype in CertificateType.objects.exclude(item_codes=[]):
        if item.code in (ctype.item_codes or []):
            return ctype
    return None


def data_from_registers(ctype: CertificateType, holder, *, on) -> dict[str, Any]:
    """The type's fields the registers know about the holder. A person's disability kind and
    grade are what the 残联's register last certified (their latest 残疾人证 on file, e.g. a
    card that expired and is renewed); a first card's come from the assessment, which the
    registers do not hold."""
    if isinstance(holder, Person):
        household = holder.household
        last_card = (
            Certificate.unscoped.filter(holder_person=holder, type_id="disability_card")
            .order_by("-issued_on", "-pk")
            .values_list("data", flat=True)
            .first()
            or {}
        )
        known = {
            "disability_kind": last_card.get("disability_kind", ""),
            "disability_grade": last_card.get("disability_grade", ""),
            "residence_address": holder.residence_address or holder.registered_address,
            "registered_address": holder.registered_address,
            "card_level": next(
                (lbl for age, lbl in ELDERLY_LEVELS if holder.age_on(on) >= age), ""
            ),
            "employment_status": "失业",
            "registered_on": on.isoformat(),
            "household_no": household.number if household else "",
            "household_type": household.get_household_type_display() if household else "",
            "address": (household.address if household else "") or holder.registered_address,
        }
    else:
        known = {
            "entity_type": holder.org_category,
            "legal_rep": holder.legal_rep.name if holder.legal_rep_id else "",
            "established": holder.established.isoformat() if holder.established else "",
            "address": holder.address,
            "business_address": holder.address,
        }
    names = {f["name"] for f in ctype.fields}
    return {k: str(v) for k, v in known.items() if k in names and v}


def issue_for_case(*, case, actor, at) -> Certificate | None:
    """The certificate an approved case yields, or None (see the module docstring)."""
    ctype = type_for_item(case.item)
    if ctype is None:
        return None
    holder = case.applicant_person if ctype.holder_kind == HolderKind.PERSON else case.applicant_org
    if not isinstance(holder, Person | Organisation):
        # e.g. a person applying to register a business: the licence goes to the new entity.
        logger.debug("case %s: %s needs another kind of holder", case.case_no, ctype.code)
        return None
    area = case.applicant_area_code or case.area_code
    issuer = issuer_for(department_code=case.item.department_id, area_code=area) or issuer_for(
        department_code=ctype.department_id, area_code=area
    )
    if issuer is None:
        logger.warning("case %s: no issuing authority of %s for %s", case.case_no, ctype.code, area)
        return None
    on = timezone.localdate(at)
    try:
        with transaction.atomic():
            return issue_certificate(
                actor=actor,
                type_code=ctype.code,
                holder=holder,
                issuer=issuer,
                data=data_from_registers(ctype, holder, on=on),
                issued_on=on,
                source=CertificateSource.CASE,
                case=case,
            )
    except ValidationError as e:
        # The register lacks something the certificate needs: the approval stands, the clerk
        # completes the record and issues it at the window.
        logger.warning("case %s: certificate not issued: %s", case.case_no, e.messages)
        return None


def on_case_decided(sender, *, case, actor, approved: bool, at, **kwargs) -> None:
    if approved:
        issue_for_case(case=case, actor=actor, at=at)


def registers_fill(ctype: CertificateType, person: Person, *, on) -> bool:
    """Would an approval for this person issue the certificate without a warning: every
    required field is in the registers?"""
    known = data_from_registers(ctype, person, on=on)
    return all(f["name"] in known for f in ctype.fields if f.get("required", True))
