"""At-most-once POSTs (`Idempotency-Key`): a client that retries after a timeout gets the first
answer back instead of a second case.

The record is inserted *before* the work, in the work's transaction: a concurrent retry's
insert waits on the unique index until the first commits (PostgreSQL) or on the write lock
(SQLite), then fails and answers from the committed record. A failed first attempt rolls its
record back, so the retry runs afresh. Only one row per key is locked — never a global lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case, IdempotencyRecord
from bianmin.core import crypto

MAX_KEY_LENGTH = 100


class IdempotencyKeyReused(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            _("该 Idempotency-Key 已用于内容不同的请求，请为新请求使用新的键。"),
            code="idempotency_key_reused",
        )


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError(
            _("Idempotency-Key 应为1至100个可打印字符。"), code="invalid_idempotency_key"
        )
    return key


def fingerprint(*, method: str, path: str, body: Any) -> str:
    """Keyed hash of the request: bodies carry ID numbers, which a plain digest would let
    anyone holding the table confirm by guessing."""
    canonical = json.dumps(
        [method.upper(), path, body], sort_keys=True, ensure_ascii=False, default=str
    )
    return crypto.lookup_hash(canonical)


def replay(*, user_id: int, key: str, digest: str) -> Answer | None:
    record = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
    if record is None:
        return None
    if record.fingerprint != digest:
        raise IdempotencyKeyReused()
    return Answer(record.status_code, json.loads(record.response), replayed=True)


def run_once(
    *,
    user_id: int,
    key: str,
    digest: str,
    perform: Callable[[], tuple[int, dict[str, Any], Case | None]],
) -> Answer:
    """`perform()` at most once per (user, key); it returns (status, body, case) and runs in
    the same transaction as the record, so both commit or neither does."""
    earlier = replay(user_id=user_id, key=key, digest=digest)
    if earlier is not None:
        return earlier
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user_id=user_id, key=key, fingerprint=digest, status_code=0, response="{}"
                )
        except IntegrityError:
            # A concurrent request with this key committed first.
            earlier = replay(user_id=user_id, key=key, digest=digest)
            if earlier is None:
                raise
            return earlier
        status_code, body, case = perform()
        text = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)
        record.status_code, record.response, record.case = status_code, text, case
        record.save(update_fields=["status_code", "response", "case"])
    return Answer(status_code, body)
