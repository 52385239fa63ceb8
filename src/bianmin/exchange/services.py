"""Clients, pushes and dead letters.

A push holds one or many records of one kind. Each record applies in its own savepoint: a
record that fails (malformed, unknown ID number, a handler that raised) changes nothing and
goes to the dead-letter list with its reason; the others apply. The department's record id is
the idempotency key: a record sent again with the same content answers the earlier result and
changes nothing. A record id whose earlier attempt was dead-lettered may be sent again with
corrected content (that retry resolves the dead letter); an id already applied with other
content is refused (`record_id_reused`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from bianmin.core import audit, crypto
from bianmin.core.audit import Actor
from bianmin.core.masking import mask_text
from bianmin.core.models import AuditAction
from bianmin.exchange import records
from bianmin.exchange.models import (
    CERTIFICATE,
    DEATH,
    EMPLOYMENT,
    MOVE,
    MOVE_OUT,
    DeadLetter,
    DeadLetterStatus,
    ExchangeClient,
    ExchangeRecord,
    PushLog,
    RecordKind,
    RecordStatus,
)
from bianmin.exchange.signing import new_secret
from bianmin.exchange.texts import error
from bianmin.registry.models import Department

log = logging.getLogger(__name__)

# What each department pushes unless told otherwise (`add-client --kinds`).
DEFAULT_KINDS = {
    "GA": [DEATH, MOVE, MOVE_OUT],
    "RS": [EMPLOYMENT, CERTIFICATE],
    "WJ": [DEATH],
    "MZ": [DEATH, CERTIFICATE],
}
MAX_BATCH = 500


def _require_admin(actor: Actor) -> None:
    if actor.user_id is None:  # the system itself (CLI)
        return
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("staff").filter(pk=actor.user_id).first()
    if user is None or not (
        user.is_superuser or (hasattr(user, "staff") and user.staff.role == "admin")
    ):
        raise PermissionDenied()


@transaction.atomic
def add_client(
    *, actor: Actor, department: str, kinds: list[str] | None = None
) -> tuple[ExchangeClient, str]:
    """A new client for a department; the secret is returned once and stored only encrypted."""
    _require_admin(actor)
    dept = Department.objects.filter(code=department).first()
    if dept is None:
        raise error("unknown_department", field="department", department=department)
    kinds = list(kinds or DEFAULT_KINDS.get(dept.code, [DEATH]))
    unknown = [k for k in kinds if k not in RecordKind.values]
    if unknown:
        raise error("unknown_kind", field="kinds", kind=",".join(unknown))
    secret = new_secret()
    client = ExchangeClient.objects.create(
        department=dept,
        client_id=f"{dept.code.lower()}-{secrets.token_hex(6)}",
        secret_cipher=crypto.encrypt(secret),
        kinds=kinds,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="exchange_client",
        object_id=client.pk,
        object_label=client.client_id,
        changes={"department": dept.code, "kinds": kinds},
    )
    return client, secret


@transaction.atomic
def disable_client(*, actor: Actor, client_id: str) -> ExchangeClient:
    _require_admin(actor)
    client = ExchangeClient.objects.get(client_id=client_id)
    client.active = False
    client.save(update_fields=["active"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="exchange_client",
        object_id=client.pk,
        object_label=client.client_id,
        changes={"active": False},
    )
    return client


def log_push(
    *,
    client: ExchangeClient | None,
    claimed: str,
    path: str,
    ip: str | None,
    outcome: str,
    http_status: int,
    reason_code: str = "",
    message: str = "",
) -> PushLog:
    return PushLog.objects.create(
        client=client,
        claimed_client_id=claimed[:64],
        path=path[:100],
        ip=ip,
        outcome=outcome,
        http_status=http_status,
        reason_code=reason_code,
        message=mask_text(str(message))[:300],
    )


def payload_hash(raw: Any) -> str:
    body = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _first_error(e: ValidationError) -> tuple[str, str]:
    """(code, message in the active language: the pusher's `Accept-Language`)."""
    first = next(iter(e.error_dict.values()))[0] if hasattr(e, "error_dict") else e.error_list[0]
    message = first.message % first.params if first.params else first.message
    return first.code or "invalid", mask_text(str(message))


def _stored_message(e: ValidationError) -> str:
    """The message a dead letter keeps: Chinese, for the administrators who review it."""
    with translation.override("zh-hans"):
        return _first_error(e)[1]


def _dead_letter(
    client: ExchangeClient, kind: str, record_id: str, raw: Any, err: ValidationError, push
) -> tuple[str, str]:
    """File the record as a dead letter; (code, message for the answer)."""
    code, message = _first_error(err)
    DeadLetter.objects.create(
        client=client,
        kind=kind,
        record_id=record_id,
        payload_cipher=crypto.encrypt(json.dumps(raw, ensure_ascii=False, default=str)),
        payload_masked=records.masked(raw),
        reason_code=code,
        message=_stored_message(err)[:500],
        push=push,
    )
    return code, message


def process_record(
    *, client: ExchangeClient, kind: str, raw: Any, push: PushLog | None
) -> dict[str, Any]:
    """Apply one record (idempotently); the per-record answer of the push."""
    record_id = str(raw.get("record_id", "")).strip()[:64] if isinstance(raw, dict) else ""
    digest = payload_hash(raw)
    if kind not in client.kinds:
        code, message = _dead_letter(
            client, kind, record_id, raw, error("kind_not_allowed", kind=kind), push
        )
        return {"record_id": record_id, "status": "dead_letter", "code": code, "detail": message}
    known = (
        ExchangeRecord.objects.select_for_update()
        .filter(client=client, kind=kind, record_id=record_id)
        .first()
        if record_id
        else None
    )
    if known is not None and known.payload_hash == digest:
        return {**known.result, "replayed": True}
    if known is not None and known.status == RecordStatus.APPLIED:
        code, message = _dead_letter(
            client, kind, record_id, raw, error("record_id_reused", record_id=record_id), push
        )
        return {"record_id": record_id, "status": "dead_letter", "code": code, "detail": message}
    try:
        _parsed, applied = records.apply(kind, raw, client)
    except ValidationError as e:
        failure = e
    except Exception as e:  # a handler's bug must not fail the other records
        log.exception("exchange record %s:%s failed in a handler", kind, record_id)
        failure = error("handler_failed", handler=type(e).__name__, error=str(e)[:200])
    else:
        result = {"record_id": record_id, "status": "applied", **applied}
        _remember(client, kind, record_id, digest, RecordStatus.APPLIED, result, push, known)
        DeadLetter.objects.filter(
            client=client, kind=kind, record_id=record_id, status=DeadLetterStatus.OPEN
        ).update(
            status=DeadLetterStatus.RESOLVED,
            resolved_at=timezone.now(),
            resolution="部门重新推送后已应用",
        )
        return result
    code, message = _dead_letter(client, kind, record_id, raw, failure, push)
    result = {"record_id": record_id, "status": "dead_letter", "code": code, "detail": message}
    if record_id:
        _remember(client, kind, record_id, digest, RecordStatus.DEAD_LETTER, result, push, known)
    return result


def _remember(client, kind, record_id, digest, status, result, push, known) -> None:
    if known is None:
        try:
            with transaction.atomic():
                ExchangeRecord.objects.create(
                    client=client,
                    kind=kind,
                    record_id=record_id,
                    payload_hash=digest,
                    status=status,
                    result=result,
                    push=push,
                )
        except IntegrityError:
            # The same record in a concurrent push got there first; applying is idempotent
            # (a death told twice is a confirmation), so its result stands.
            pass
    else:
        known.payload_hash, known.status, known.result, known.push = digest, status, result, push
        known.save()


@transaction.atomic
def process_push(
    *, client: ExchangeClient, kind: str, items: list[Any], push: PushLog
) -> list[dict[str, Any]]:
    """Every record of a push, each in its own savepoint; the push's counts on its log row."""
    results = [process_record(client=client, kind=kind, raw=raw, push=push) for raw in items]
    push.replayed = sum(1 for r in results if r.get("replayed"))
    push.applied = sum(1 for r in results if r["status"] == "applied" and not r.get("replayed"))
    push.dead_lettered = sum(
        1 for r in results if r["status"] == "dead_letter" and not r.get("replayed")
    )
    push.save(update_fields=["applied", "replayed", "dead_lettered"])
    ExchangeClient.objects.filter(pk=client.pk).update(last_push_at=timezone.now())
    return results


# --- dead letters ---------------------------------------------------------------------------


def payload_of(letter: DeadLetter) -> Any:
    return json.loads(crypto.decrypt(letter.payload_cipher))


@transaction.atomic
def retry_dead_letter(
    *, actor: Actor, letter: DeadLetter, corrections: dict[str, str] | None = None
) -> dict[str, Any]:
    """更正后重试: apply the record again with the administrator's corrections (field → value).
    On success the letter is resolved; on failure it stays open with the new reason."""
    _require_admin(actor)
    letter = (
        DeadLetter.objects.select_for_update()
        .select_related("client__department")
        .get(pk=letter.pk)
    )
    if letter.status != DeadLetterStatus.OPEN:
        raise error("dead_letter_closed")
    raw = payload_of(letter)
    if isinstance(raw, dict) and corrections:
        raw = {**raw, **{k: v for k, v in corrections.items() if v not in (None, "")}}
    if isinstance(raw, dict) and letter.record_id and not raw.get("record_id"):
        raw["record_id"] = letter.record_id
    try:
        _parsed, applied = records.apply(letter.kind, raw, letter.client)
    except ValidationError as e:
        code, message = _first_error(e)
        letter.reason_code, letter.message = code, _stored_message(e)[:500]
        letter.payload_cipher = crypto.encrypt(json.dumps(raw, ensure_ascii=False, default=str))
        letter.payload_masked = records.masked(raw)
        letter.save()
        return {"status": "dead_letter", "code": code, "detail": message}
    result = {"record_id": letter.record_id, "status": "applied", **applied}
    if letter.record_id:
        known = ExchangeRecord.objects.filter(
            client=letter.client, kind=letter.kind, record_id=letter.record_id
        ).first()
        _remember(
            letter.client,
            letter.kind,
            letter.record_id,
            payload_hash(raw),
            RecordStatus.APPLIED,
            result,
            None,
            known,
        )
    _close(letter, actor, DeadLetterStatus.RESOLVED, "更正后重试成功")
    return result


@transaction.atomic
def discard_dead_letter(*, actor: Actor, letter: DeadLetter, reason: str) -> DeadLetter:
    _require_admin(actor)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise error("reason_required", field="reason")
    letter = DeadLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != DeadLetterStatus.OPEN:
        raise error("dead_letter_closed")
    _close(letter, actor, DeadLetterStatus.DISCARDED, reason)
    return letter


def _close(letter: DeadLetter, actor: Actor, status: str, note: str) -> None:
    letter.status, letter.resolved_at = status, timezone.now()
    letter.resolved_by_id, letter.resolution = actor.user_id, mask_text(note)[:300]
    letter.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="dead_letter",
        object_id=letter.pk,
        object_label=f"{letter.kind}:{letter.record_id}",
        changes={"status": status, "note": note},
    )
