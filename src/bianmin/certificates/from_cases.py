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

from bianmin.cases.results import ResultField
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


def _previous_data(ctype: CertificateType, holder) -> dict[str, str]:
    """What the department certified last time: a person's disability kind and grade are what
    the 残联's register last certified (their latest 残疾人证 on file, e.g. a card that expired
    and is renewed). A first card's come from the assessment, decided with the approval."""
    if not isinstance(holder, Person) or ctype.code != "disability_card":
        return {}
    last_card = (
        Certificate.unscoped.filter(holder_person=holder, type_id="disability_card")
        .order_by("-issued_on", "-pk")
        .values_list("data", flat=True)
        .first()
        or {}
    )
    return {k: last_card.get(k, "") for k in ("disability_kind", "disability_grade")}


def _record_data(holder, *, on) -> dict[str, Any]:
    """What the holder's own record in the registers says."""
    if isinstance(holder, Person):
        household = holder.household
        return {
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
    return {
        "entity_type": holder.org_category,
        "legal_rep": holder.legal_rep.name if holder.legal_rep_id else "",
        "established": holder.established.isoformat() if holder.established else "",
        "address": holder.address,
        "business_address": holder.address,
    }


def _only_type_fields(ctype: CertificateType, known: dict[str, Any]) -> dict[str, str]:
    names = {f["name"] for f in ctype.fields}
    return {k: str(v) for k, v in known.items() if k in names and v}


def data_from_registers(ctype: CertificateType, holder, *, on) -> dict[str, Any]:
    """The type's fields the registers know about the holder: their record, and what the
    department certified last time."""
    return _only_type_fields(
        ctype, {**_previous_data(ctype, holder), **_record_data(holder, on=on)}
    )


def _holder(case, ctype: CertificateType):
    holder = case.applicant_person if ctype.holder_kind == HolderKind.PERSON else case.applicant_org
    return holder if isinstance(holder, Person | Organisation) else None


def result_fields(case) -> list[ResultField]:
    """The certificate's fields the holder's record cannot fill: the approval decides them
    (`cases.results`). Required when the certificate needs them and nothing on file suggests a
    value (a first 残疾人证's category); a renewal's last values are offered to confirm."""
    ctype = type_for_item(case.item)
    holder = _holder(case, ctype) if ctype is not None else None
    if holder is None:
        return []
    # The fields a record speaks for stay the record's, even when it is empty there (a 户号
    # is the household register's to give, not the reviewer's to type).
    record = set(_record_data(holder, on=timezone.localdate()))
    previous = _previous_data(ctype, holder)
    return [
        ResultField(
            name=f["name"],
            label=f["label"],
            kind=f["kind"],
            choices=tuple(f.get("choices", ())),
            required=f.get("required", True) and not previous.get(f["name"]),
            initial=previous.get(f["name"], ""),
        )
        for f in ctype.fields
        if f["name"] not in record
    ]


def issue_for_case(*, case, actor, at, result=None) -> Certificate | None:
    """The certificate an approved case yields, or None (see the module docstring). `result`:
    what the approval decided (`cases.results`), over what the registers know."""
    ctype = type_for_item(case.item)
    if ctype is None:
        return None
    holder = _holder(case, ctype)
    if holder is None:
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
                data={**data_from_registers(ctype, holder, on=on), **(result or {})},
                issued_on=on,
                source=CertificateSource.CASE,
                case=case,
            )
    except ValidationError as e:
        # The register lacks something the certificate needs: the approval stands, the clerk
        # completes the record and issues it at the window.
        logger.warning("case %s: certificate not issued: %s", case.case_no, e.messages)
        return None


def on_case_decided(sender, *, case, actor, approved: bool, at, result=None, **kwargs) -> None:
    if approved:
        issue_for_case(case=case, actor=actor, at=at, result=result)


def registers_fill(ctype: CertificateType, person: Person, *, on) -> bool:
    """Would an approval for this person issue the certificate without a warning: every
    required field the person's record speaks for is filled there? (The rest the approval
    decides.)"""
    record = _record_data(person, on=on)
    return all(
        record.get(f["name"])
        for f in ctype.fields
        if f.get("required", True) and f["name"] in record
    )
