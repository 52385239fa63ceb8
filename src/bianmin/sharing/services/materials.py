"""Materials satisfied by sharing (变群众跑腿为信息跑路): at intake, every material of the
item that a shared data item or an e-certificate can stand in for is fetched for the case and
put on file with where it came from, instead of being asked of the applicant."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bianmin.catalog.sources import CERTIFICATE_TYPES, SHARED_DATA
from bianmin.core.audit import Actor
from bianmin.core.prepared import PreparedQuery
from bianmin.sharing.models import SharedMaterial
from bianmin.sharing.services.access import (
    certificate_identifier,
    fetch_certificate,
    fetch_logged,
)

# Asked on every intake: compiled once per connection, and unordered (the model's ordering by
# case would join the cases table for nothing).
_found_codes = PreparedQuery(
    lambda case_id: (
        SharedMaterial.unscoped.filter(case_id=case_id, found=True)
        .order_by()
        .values_list("code", flat=True)
    )
)


def _handed_in(case, checked) -> set[str]:
    from bianmin.cases.models.work import MaterialSource

    if checked is not None:
        return {c.code for c in checked.checks if c.outcome == "submitted"}
    return set(
        case.materials.filter(source=MaterialSource.SUBMITTED).values_list("code", flat=True)
    )


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(str(m) for m in error.messages)
    return str(getattr(error, "message", "") or error)


def satisfy_materials(
    *, actor: Actor, case, checked=None, at: dt.datetime | None = None
) -> list[SharedMaterial]:
    """Fetch, for `case`, each material of its item whose `shared_source` names a shared data
    item or a certificate type and that the applicant did not hand in; record each as a
    `SharedMaterial` — found, with its source, or not, with the reason. The fetch is made
    for the item's handling department, which is who needs the material. Runs in the
    intake's transaction; a refusal is logged and never fails the intake. Without `checked`
    (a later pass over an existing case), materials already satisfied are not fetched again."""
    # What is stored (labels, reasons, purposes) is in the platform's language, whatever the
    # clerk's page is shown in; pages translate from the codes (`queries.source_text`).
    with transaction.atomic(savepoint=False), translation.override(settings.LANGUAGE_CODE):
        return _satisfy(actor=actor, case=case, checked=checked, at=at or timezone.now())


def _satisfy(*, actor: Actor, case, checked, at: dt.datetime) -> list[SharedMaterial]:
    item = case.item
    handed = _handed_in(case, checked)
    # With `checked`, the case is being taken in now: nothing of it can have been fetched yet.
    done = set(_found_codes(case.pk)) if checked is None else set()
    wanted = [
        m
        for m in item.materials.all()
        if m.shared_source and m.code not in handed and m.code not in done
    ]
    if not wanted:
        return []
    person, organisation = case.applicant_person, case.applicant_org
    department = item.department
    rows = []
    for m in wanted:
        source = m.shared_source
        purpose = _("办件%(no)s（%(item)s）申请材料：%(m)s") % {
            "no": case.case_no,
            "item": item.name,
            "m": m.name,
        }
        found, label, ident, reason, access = False, "", "", "", None
        if source in CERTIFICATE_TYPES:
            holder = person or organisation
            access, certificate = fetch_certificate(
                actor=actor,
                type_code=source,
                holder=holder,
                purpose=purpose,
                case=case,
                department=department,
                at=at,
            )
            if certificate is not None:
                ident = certificate_identifier(certificate)
                found = True
                label = _("电子证照：%(type)s %(id)s") % {
                    "type": CERTIFICATE_TYPES[source],
                    "id": ident,
                }
            else:
                reason = access.reason
        elif source in SHARED_DATA:
            if person is None:
                reason = _("申请人为法人，无个人共享数据。")
            else:
                try:
                    access, data = fetch_logged(
                        actor=actor,
                        item_code=source,
                        person=person,
                        purpose=purpose,
                        case=case,
                        department=department,
                        at=at,
                    )
                except (PermissionDenied, ValidationError) as refused:
                    reason = _error_text(refused)
                else:
                    found = data is not None
                    reason = "" if found else access.reason
                    label = _("共享数据：%(item)s") % {"item": SHARED_DATA[source]}
        else:
            reason = _("未知的共享来源“%(code)s”。") % {"code": source}
        if not label:
            label = SHARED_DATA.get(source) or CERTIFICATE_TYPES.get(source) or source
        rows.append(
            SharedMaterial(
                case=case,
                code=m.code,
                name=m.name,
                item_code=item.code,
                item_name=item.name,
                source_code=source,
                source_label=str(label)[:200],
                certificate_identifier=ident[:120],
                found=found,
                reason=str(reason)[:200],
                access=access,
                fetched_at=at,
                area_code=case.area_code,
            )
        )
    # One statement; a material tried again replaces its earlier row.
    SharedMaterial.unscoped.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["case", "code"],
        update_fields=[
            "source_label",
            "certificate_identifier",
            "found",
            "reason",
            "access",
            "fetched_at",
        ],
    )
    return rows
