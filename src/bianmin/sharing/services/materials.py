"""Materials satisfied by sharing (变群众跑腿为信息跑路): at intake, every material of the
item that a shared data item or an e-certificate can stand in for is fetched for the case and
put on file with where it came from, instead of being asked of the applicant.

Fetch first, then check: intake calls `fetch_materials` before the case exists (the gate,
the provider and the certificate library are asked; nothing is written), runs the precheck
with the outcome — what could not be fetched is asked for, with the reason — and, once the
case is written, `record_fetched` writes each read's log entry and the `SharedMaterial` rows
in the same transaction. An intake that is then refused leaves no trace of the reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.catalog.models import Material, ServiceItem
from bianmin.catalog.sources import CERTIFICATE_TYPES, SHARED_DATA
from bianmin.core import prepared
from bianmin.core.audit import Actor
from bianmin.registry.models import Organisation, Person
from bianmin.sharing.models import AccessOutcome, SharedMaterial
from bianmin.sharing.services.access import (
    certificate_identifier,
    find_certificate,
    gate,
    log_access,
)

# Why a material could not be fetched, in the few words the applicant's notice gives (the
# gate's full message stays on the case's record).
_NO_GRANT = gettext_lazy("承办部门未获该数据的共享授权")
SHORT_REASONS = {
    "no_grant": _NO_GRANT,
    "grant_expired": _NO_GRANT,
    "out_of_scope": _NO_GRANT,
    "no_department": _NO_GRANT,
    "no_consent": gettext_lazy("未获居民授权"),
    "consent_withdrawn": gettext_lazy("居民已撤回授权"),
    "no_record": gettext_lazy("共享数据中无记录"),
    "no_certificate": gettext_lazy("电子证照库中无有效证照"),
    "no_provider": gettext_lazy("该数据暂无共享来源"),
    "organisation": gettext_lazy("申请人为法人，无个人共享数据"),
    "unknown_source": gettext_lazy("共享来源未知"),
}


@dataclass
class Fetched:
    """One material's fetch: found (with its source) or not (with the reason). `log` is the
    read's log entry, written with the case (`record_fetched`); None when nothing was asked
    of a holder (an organisation's personal data, an unknown source, a preview)."""

    material: Material
    found: bool
    reason_code: str = ""
    reason: str = ""
    label: str = ""
    identifier: str = ""
    log: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def code(self) -> str:
        return self.material.code

    @property
    def short_reason(self) -> str:
        return str(SHORT_REASONS.get(self.reason_code) or self.reason)


def _certificate(m: Material, holder, department, *, preview: bool) -> Fetched:
    source = m.shared_source
    if preview:
        # Certificates need no grant (一证通用); whether one is in force is read at intake.
        return Fetched(m, found=True)
    certificate = find_certificate(type_code=source, holder=holder)
    log = {
        "department": department,
        "code": source,
        "name": CERTIFICATE_TYPES[source],
        "person": holder if isinstance(holder, Person) else None,
        "organisation": holder if isinstance(holder, Organisation) else None,
    }
    if certificate is None:
        reason = _("电子证照库中没有有效的该类证照。")
        log.update(outcome=AccessOutcome.NOT_FOUND, reason_code="no_certificate", reason=reason)
        return Fetched(m, found=False, reason_code="no_certificate", reason=reason, log=log)
    ident = certificate_identifier(certificate)
    log.update(outcome=AccessOutcome.ALLOWED)
    label = _("电子证照：%(type)s %(id)s") % {"type": CERTIFICATE_TYPES[source], "id": ident}
    return Fetched(m, found=True, label=label, identifier=ident, log=log)


def _shared_data(m: Material, person, actor, department, *, preview: bool) -> Fetched:
    source = m.shared_source
    if person is None:
        return Fetched(
            m, found=False, reason_code="organisation", reason=_("申请人为法人，无个人共享数据。")
        )
    try:
        item, department, refusal, provider = gate(
            actor=actor, item_code=source, person=person, department=department
        )
    except ValidationError as e:
        return Fetched(m, found=False, reason_code="unknown_source", reason="；".join(e.messages))
    log = {"department": department, "code": item.code, "name": item.name, "person": person}
    if refusal is not None:
        code, message = refusal
        log.update(outcome=AccessOutcome.DENIED, reason_code=code, reason=message)
        return Fetched(
            m, found=False, reason_code=code, reason=str(message), log=None if preview else log
        )
    if preview:
        return Fetched(m, found=True)  # the gate lets it through; the record is read at intake
    data = provider(person)
    if data is None:
        reason = _("数据提供部门无该人员记录。")
        log.update(outcome=AccessOutcome.NOT_FOUND, reason_code="no_record", reason=reason)
        return Fetched(m, found=False, reason_code="no_record", reason=reason, log=log)
    log.update(outcome=AccessOutcome.ALLOWED)
    label = _("共享数据：%(item)s") % {"item": SHARED_DATA[source]}
    return Fetched(m, found=True, label=label, log=log)


def fetch_materials(
    *,
    actor: Actor,
    item: ServiceItem,
    person: Person | None,
    organisation: Organisation | None,
    materials: Iterable[Material],
    preview: bool = False,
) -> dict[str, Fetched]:
    """Fetch `materials` (each with a `shared_source`) for an application to `item`, for the
    item's handling department — who needs them. Writes nothing: `record_fetched` logs the
    reads once the case exists. `preview`: the gate only (grant, consent, a provider), no
    holder is read — the window's live precheck says at once what sharing will not supply;
    "no record" can only be known at intake."""
    department = item.department
    holder = person or organisation
    result: dict[str, Fetched] = {}
    # Labels and reasons are stored in the platform's language, whatever the clerk's page is
    # shown in; pages translate from the codes (`queries.source_text`).
    with translation.override(settings.LANGUAGE_CODE):
        for m in materials:
            source = m.shared_source
            if source in CERTIFICATE_TYPES:
                result[m.code] = _certificate(m, holder, department, preview=preview)
            elif source in SHARED_DATA:
                result[m.code] = _shared_data(m, person, actor, department, preview=preview)
            else:
                reason = _("未知的共享来源“%(code)s”。") % {"code": source}
                result[m.code] = Fetched(
                    m, found=False, reason_code="unknown_source", reason=reason
                )
    return result


_REFETCHED = (
    "source_label",
    "certificate_identifier",
    "found",
    "reason",
    "access",
    "fetched_at",
)


def record_fetched(
    *, actor: Actor, case, fetched: Iterable[Fetched], at: dt.datetime | None = None
) -> list[SharedMaterial]:
    """Put the fetches on the case's record, in the caller's transaction: each read's log
    entry (allowed / 无记录 / denied, audited — a read of the person appears on the
    resident's 谁查看了我的信息 page) and one `SharedMaterial` row per material."""
    at = at or timezone.now()
    item = case.item
    rows = []
    with transaction.atomic(savepoint=False), translation.override(settings.LANGUAGE_CODE):
        for f in fetched:
            m = f.material
            access = None
            if f.log is not None:
                purpose = _("办件%(no)s（%(item)s）申请材料：%(m)s") % {
                    "no": case.case_no,
                    "item": item.name,
                    "m": m.name,
                }
                access = log_access(actor=actor, purpose=purpose, case=case, at=at, **f.log)
            source = m.shared_source
            label = f.label or SHARED_DATA.get(source) or CERTIFICATE_TYPES.get(source) or source
            rows.append(
                SharedMaterial(
                    case=case,
                    code=m.code,
                    name=m.name,
                    item_code=item.code,
                    item_name=item.name,
                    source_code=source,
                    source_label=str(label)[:200],
                    certificate_identifier=f.identifier[:120],
                    found=f.found,
                    reason=str(f.reason)[:200],
                    access=access,
                    fetched_at=at,
                    area_code=case.area_code,
                )
            )
        # A material tried again (resubmission) replaces its earlier row. One prepared insert
        # a row: an intake fetches one or two, and the ORM's bulk upsert cost more CPU than
        # the rest of recording them.
        for row in rows:
            prepared.insert(row, unless_exists=("case", "code"), replacing=_REFETCHED)
    return rows


def fetched_of(case) -> dict[str, Fetched]:
    """What sharing supplied for an existing case, by material code, as `fetch_materials`
    says it (the case's precheck is run again with it: accept, 补正, resubmission)."""
    materials = {m.code: m for m in case.item.materials.all()}
    result = {}
    for row in SharedMaterial.unscoped.filter(case=case).select_related("access"):
        m = materials.get(row.code)
        if m is None:
            continue
        code = row.access.reason_code if row.access is not None else ""
        if not row.found and not code:
            code = "organisation" if case.applicant_person_id is None else "unknown_source"
        result[row.code] = Fetched(
            m,
            found=row.found,
            reason_code="" if row.found else code,
            reason=row.reason,
            label=row.source_label if row.found else "",
            identifier=row.certificate_identifier,
        )
    return result
