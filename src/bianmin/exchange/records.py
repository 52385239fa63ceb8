"""One pushed record of each kind: its fields, how it is checked, and what applying it does.

Every record names the person by the full ID number; the person is found by its keyed hash
(registry), never by a stored clear number. Applying goes through the services that a window
uses (registry/services/lifeevents.py), so a pushed death does exactly what a window's does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.masking import mask_id_number, mask_text
from bianmin.core.models import AuditAction
from bianmin.exchange.models import (
    CERTIFICATE,
    DEATH,
    EMPLOYMENT,
    MOVE,
    MOVE_OUT,
    EmploymentRegistration,
    ExchangeClient,
)
from bianmin.exchange.texts import error
from bianmin.registry.models import Person
from bianmin.registry.services import lifeevents
from bianmin.registry.services.people import hash_of

# field → (required, max length); dates are "YYYY-MM-DD".
FIELDS: dict[str, dict[str, tuple[bool, int]]] = {
    DEATH: {"died_on": (True, 10), "reason": (False, 200), "reference": (False, 64)},
    MOVE: {
        "moved_on": (True, 10),
        "grid": (False, 14),
        "address": (False, 200),
        "reference": (False, 64),
    },
    MOVE_OUT: {"moved_on": (True, 10), "destination": (False, 200), "reference": (False, 64)},
    EMPLOYMENT: {
        "registered_on": (True, 10),
        "employer": (False, 200),
        "employment_status": (False, 4),
        "certificate_no": (False, 40),
    },
    CERTIFICATE: {
        "certificate_type": (True, 40),
        "number": (False, 60),
        "issued_on": (True, 10),
        "valid_until": (False, 10),
    },
}
DATE_FIELDS = {"died_on", "moved_on", "registered_on", "issued_on", "valid_until"}
COMMON = {"record_id": (True, 64), "id_number": (True, 32), "name": (False, 50)}


@dataclass(frozen=True)
class Parsed:
    kind: str
    record_id: str
    person: Person
    values: dict[str, Any]


def masked(raw: Any) -> dict:
    """The record as an administrator may see it: the ID number masked, free text masked."""
    if not isinstance(raw, dict):
        return {"_": mask_text(str(raw))[:500]}
    shown = {}
    for key, value in raw.items():
        text = str(value)[:300]
        if key == "id_number":
            try:
                shown[key] = mask_id_number(text.strip())
            except Exception:  # an unparsable number is hidden whole
                shown[key] = "*" * min(len(text), 18)
        else:
            shown[str(key)[:40]] = mask_text(text)
    return shown


def _date(field: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise error("invalid_date", field=field, value=value[:20]) from None


def parse(kind: str, raw: Any) -> Parsed:
    """The record checked and its person found; ValidationError(code) otherwise."""
    if not isinstance(raw, dict):
        raise error("not_an_object")
    values: dict[str, Any] = {}
    for field, (required, max_len) in {**COMMON, **FIELDS[kind]}.items():
        value = raw.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise error("missing_field", field=field)
            continue
        if not isinstance(value, str | int):
            raise error("missing_field", field=field)
        value = str(value).strip()
        if len(value) > max_len:
            raise error("field_too_long", field=field)
        values[field] = _date(field, value) if field in DATE_FIELDS else value
    if kind == CERTIFICATE:
        data = raw.get("data", {})
        if not isinstance(data, dict):
            raise error("not_an_object", field="data")
        values["data"] = data
    try:
        digest = hash_of(values["id_number"])
    except ValidationError:
        raise error("invalid_id_number", field="id_number") from None
    person = Person.unscoped.filter(id_hash=digest).first()
    if person is None:
        raise error("unknown_person", field="id_number")
    return Parsed(kind, values.pop("record_id"), person, values)


def _life_event(result: lifeevents.LifeEventResult) -> dict:
    return {
        "life_event": result.record.pk,
        "already": result.already,
        "outcomes": result.record.outcomes,
    }


def _death(p: Parsed, actor: Actor, client: ExchangeClient) -> dict:
    source = source_of(client)
    return _life_event(
        lifeevents.record_death(
            actor=actor,
            person=p.person,
            died_on=p.values["died_on"],
            source=source,
            reason=p.values.get("reason", ""),
            reference=p.values.get("reference", ""),
        )
    )


def _move(p: Parsed, actor: Actor, client: ExchangeClient) -> dict:
    source = source_of(client)
    return _life_event(
        lifeevents.record_move(
            actor=actor,
            person=p.person,
            moved_on=p.values["moved_on"],
            source=source,
            grid=p.values.get("grid"),
            address=p.values.get("address", ""),
            reference=p.values.get("reference", ""),
        )
    )


def _move_out(p: Parsed, actor: Actor, client: ExchangeClient) -> dict:
    source = source_of(client)
    return _life_event(
        lifeevents.record_move_out(
            actor=actor,
            person=p.person,
            moved_on=p.values["moved_on"],
            source=source,
            destination=p.values.get("destination", ""),
            reference=p.values.get("reference", ""),
        )
    )


def certificate_service() -> Callable[..., Any] | None:
    """`certificates.services.issue_certificate`, when the certificates app provides it."""
    try:
        module = import_module("bianmin.certificates.services")
    except ImportError:
        return None
    return getattr(module, "issue_certificate", None)


def _load_certificate(
    p: Parsed, actor: Actor, client: ExchangeClient, *, type_code: str, data: dict, **dates
):
    """归集: the department's certificate into the library, issued by its own authority."""
    issue = certificate_service()
    if issue is None:
        raise error("certificates_unavailable")
    from bianmin.certificates.services import issuer_for

    issuer = issuer_for(department_code=client.department_id, area_code=p.person.area_code)
    if issuer is None:
        raise error("no_issuer")
    return issue(
        actor=actor,
        type_code=type_code,
        holder=p.person,
        issuer=issuer,
        data=data,
        source="exchange",
        source_system=f"{client.client_id}:{p.values.get('number') or p.record_id}"[:100],
        **dates,
    )


EMPLOYMENT_CARD = "unemployment_card"  # 就业创业证 (certificates/reference.py)


def _employment(p: Parsed, actor: Actor, client: ExchangeClient) -> dict:
    day = p.values["registered_on"]
    if day > timezone.localdate():
        raise error("future_date", field="registered_on")
    source = source_of(client)
    registration = EmploymentRegistration.objects.create(
        person=p.person,
        employer=p.values.get("employer", ""),
        registered_on=day,
        certificate_no=p.values.get("certificate_no", ""),
        source=source,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="employment_registration",
        object_id=registration.pk,
        object_label=f"{p.person.name} {p.person.id_masked}",
        changes={"registered_on": str(day), "employer": registration.employer},
    )
    result: dict[str, Any] = {"employment_registration": registration.pk}
    if certificate_service() is not None:
        from bianmin.certificates.models import Certificate, CertificateStatus
        from bianmin.certificates.services import issuer_for

        if issuer_for(department_code=client.department_id, area_code=p.person.area_code) is None:
            # The registration stands; the card waits for an authority covering the area.
            result["certificate"] = None
            return result

        held = Certificate.objects.filter(
            holder_person=p.person, type_id=EMPLOYMENT_CARD, status=CertificateStatus.VALID
        ).first()
        if held is None:
            held = _load_certificate(
                p,
                actor,
                client,
                type_code=EMPLOYMENT_CARD,
                data={
                    "employment_status": p.values.get("employment_status") or "就业",
                    "registered_on": day.isoformat(),
                },
                issued_on=day,
            )
        result["certificate"] = held.pk
    return result


def _certificate(p: Parsed, actor: Actor, client: ExchangeClient) -> dict:
    cert = _load_certificate(
        p,
        actor,
        client,
        type_code=p.values["certificate_type"],
        data=p.values["data"],
        issued_on=p.values["issued_on"],
        valid_until=p.values.get("valid_until"),
    )
    return {"certificate": cert.pk}


APPLY: dict[str, Callable[[Parsed, Actor, ExchangeClient], dict]] = {
    DEATH: _death,
    MOVE: _move,
    MOVE_OUT: _move_out,
    EMPLOYMENT: _employment,
    CERTIFICATE: _certificate,
}


def actor_of(client: ExchangeClient) -> Actor:
    return Actor(
        user_id=None,
        name=f"{client.department.short_name}推送（{client.client_id}）",
        purpose="部门数据交换",
    )


def source_of(client: ExchangeClient) -> str:
    return f"{client.department.short_name}推送"


@transaction.atomic
def apply(kind: str, raw: Any, client: ExchangeClient) -> tuple[Parsed, dict]:
    """Parse and apply one record in its own transaction (a savepoint inside a push)."""
    parsed = parse(kind, raw)
    return parsed, APPLY[kind](parsed, actor_of(client), client)
