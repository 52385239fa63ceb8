"""At-most-once POSTs (`Idempotency-Key`): a client that retries after a timeout gets the first
answer back instead of a second case.

The record is written in the work's transaction, with `ON CONFLICT DO NOTHING`: a concurrent
retry's insert waits on the unique index until the first commits (PostgreSQL) or on the write
lock (SQLite), finds the key taken, rolls its own work back and answers from the committed
record. A failed first attempt writes no record, so the retry runs afresh. Only one index
entry per key is contended — never a global lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case, IdempotencyRecord
from bianmin.core import audit, crypto

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
    """The stored answer for (user, key), if any. Asked before every keyed intake, so it
    reads the three values it needs in one plain statement (the unique index answers)."""
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT fingerprint, status_code, response FROM {table} "  # noqa: S608 — ours
            "WHERE user_id = %s AND key = %s",
            [user_id, key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    if row[0] != digest:
        raise IdempotencyKeyReused()
    return Answer(row[1], json.loads(row[2]), replayed=True)


class _LostRace(Exception):
    """Another request with the same key committed while this one worked: undo this one."""


def _claim(*, user_id: int, key: str, digest: str, status_code: int, text: str, case) -> bool:
    """Insert the record unless the key is taken; True when this request got it. A concurrent
    insert of the same key waits for the other transaction, so the answer is final."""
    table = IdempotencyRecord._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 — the table name is ours, values are bound
            "(user_id, key, fingerprint, status_code, response, case_id, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [user_id, key, digest, status_code, text, case.pk if case else None, now],
        )
        return cursor.fetchone() is not None


def run_once(
    *,
    user_id: int,
    key: str,
    digest: str,
    perform: Callable[[], tuple[int, dict[str, Any], Case | None]],
) -> Answer:
    """`perform()` at most once per (user, key): it returns (status, body, case) and the
    record of its answer is written in the same transaction, so both commit or neither does.
    `perform` runs inside that transaction: it need not open its own (`intake.record_intake`
    does not — a nested block would cost a savepoint).

    The record goes in last (one statement, no savepoint): a retry racing its first attempt
    does the work, finds the key taken, and rolls all of it back — rare, and it keeps the
    common path short. Call `replay` first to answer known keys without doing the work."""
    try:
        # The work's audit entries go in after the record, just before COMMIT: every audited
        # request queues on the chain's lock, so it is taken by the transaction's last statement.
        with transaction.atomic(), audit.appended_last():
            status_code, body, case = perform()
            text = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)
            if not _claim(
                user_id=user_id,
                key=key,
                digest=digest,
                status_code=status_code,
                text=text,
                case=case,
            ):
                raise _LostRace
    except _LostRace:
        earlier = replay(user_id=user_id, key=key, digest=digest)
        if earlier is None:  # the winner's record vanished: cannot happen without a delete
            raise
        return earlier
    return Answer(status_code, body)
