"""Append-only, hash-chained audit log of who touched which personal record, and why."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from bianmin.core.masking import mask_text
from bianmin.core.models import AuditAction, AuditChainHead, AuditEntry

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who acts, from where: passed explicitly to every service that touches personal data."""

    user_id: int | None = None
    name: str = "system"
    org_unit_code: str = ""
    ip: str | None = None
    purpose: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def with_purpose(self, purpose: str) -> Actor:
        return Actor(self.user_id, self.name, self.org_unit_code, self.ip, purpose, self.extra)


SYSTEM = Actor()


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    """SHA-256 of the JSON list [prev_hash, id, at, actor, …, ip] (keys of `changes` sorted)."""
    return hashlib.sha256((_place(prev_hash, entry.pk) + _tail(entry)).encode()).hexdigest()


def _place(prev_hash: str, entry_id: int) -> str:
    """The digest text's start: the entry's place in the chain (a hex hash and an integer,
    which JSON writes as they are — so PostgreSQL can write it too, `_statement`)."""
    return f'["{prev_hash}",{entry_id},'


def _tail(entry: AuditEntry) -> str:
    """The rest of the digest text: what the entry says, known before its place is."""
    return json.dumps(
        [
            entry.at.isoformat(),
            entry.actor_id,
            entry.actor_name,
            entry.org_unit_code,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_label,
            entry.purpose,
            entry.changes,
            entry.ip,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )[1:]


# Entries waiting for the end of an `appended_last` block, per thread (each thread has its
# own database connection); None outside such a block.
_waiting = threading.local()


def record(
    actor: Actor,
    action: AuditAction | str,
    *,
    object_type: str,
    object_id: str | int = "",
    object_label: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction, so it commits or rolls back with
    the change it describes. Free text is masked: no ID or phone number is stored in clear.
    Inside `appended_last` the entry goes in when that block ends (its id and hashes are
    set then).

    Every audited request appends, and every appender queues on the chain head's row lock
    until its transaction commits. On PostgreSQL the append is therefore one statement — lock
    the head, insert the entry with its hash computed by the server, move the head — and a
    lone read's entry is that statement alone, its own transaction, committed without waiting
    for the disk (`commits_lazily`): the lock is held for the statement, not for round trips
    with the application in between. Nested in the caller's transaction it takes no
    savepoint: a failure leaves that transaction unusable (Django refuses further queries
    until it rolls back), so nothing half-written can be committed."""
    entry = AuditEntry(
        at=timezone.now(),
        actor_id=actor.user_id,
        actor_name=actor.name[:150],
        org_unit_code=actor.org_unit_code,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        object_label=mask_text(object_label)[:200],
        purpose=mask_text(actor.purpose)[:200],
        changes=json.loads(mask_text(json.dumps(changes or {}, ensure_ascii=False, default=str))),
        ip=actor.ip,
    )
    waiting = getattr(_waiting, "entries", None)
    if waiting is not None:
        waiting.append(entry)
        return entry
    lazy = commits_lazily(
        action, vendor=connection.vendor, outermost=not connection.in_atomic_block
    )
    _append(entry, lazy=lazy)
    return entry


@contextmanager
def appended_last() -> Iterator[None]:
    """Entries recorded in the block join the chain when it ends, after the block's other
    writes: a transaction that writes much and audits once then holds the chain's lock from
    its last statement to its commit only (the window intake: case, materials, messages,
    idempotency record — then the entry — then COMMIT). Must run inside the transaction the
    entries belong to; an error in the block discards them with it. Nested blocks join the
    outermost."""
    if getattr(_waiting, "entries", None) is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise TransactionManagementError("appended_last() needs the caller's transaction")
    _waiting.entries = []
    try:
        yield
        entries = _waiting.entries
    finally:
        _waiting.entries = None
    for entry in entries:
        _append(entry, lazy=False)


_sql: dict[tuple[str, bool], str] = {}


def _statement(lazy: bool) -> str:
    """PostgreSQL: lock the head, insert the entry after it with the server computing its
    hash (`_place` + the entry's `_tail`, as `_digest` does), move the head; returns the new
    id and hashes. No row when the head row does not exist yet. Built from the models once
    per process; identifiers come from the models, values are bound."""
    known = _sql.get((connection.vendor, lazy))
    if known is not None:
        return known
    qn = connection.ops.quote_name
    head = qn(AuditChainHead._meta.db_table)
    fields = _value_fields()
    names = ["id", *(f.column for f in fields), "prev_hash", "entry_hash"]
    columns = ", ".join(qn(name) for name in names)
    values = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    commit_mode = "set_config('synchronous_commit', 'off', true), " if lazy else ""
    digest_text = """'["' || h.prev || '",' || h.id::text || ',' || %s"""
    sql = (
        f'WITH h AS (SELECT {commit_mode}"last_id" + 1 AS id, "last_hash" AS prev '  # noqa: S608
        f'FROM {head} WHERE "id" = 1 FOR UPDATE), '
        f"e AS (INSERT INTO {qn(AuditEntry._meta.db_table)} ({columns}) "
        f"SELECT h.id, {values}, h.prev, "
        f"encode(sha256(convert_to({digest_text}, 'UTF8')), 'hex') FROM h "
        'RETURNING "id", "prev_hash", "entry_hash"), '
        f'm AS (UPDATE {head} SET "last_id" = e."id", "last_hash" = e."entry_hash" '
        f'FROM e WHERE {head}."id" = 1) '
        'SELECT "id", "prev_hash", "entry_hash" FROM e'
    )
    _sql[(connection.vendor, lazy)] = sql
    return sql


def _value_fields() -> list:
    """The entry's columns the application supplies (all but its place in the chain)."""
    chained = {"id", "prev_hash", "entry_hash"}
    return [
        f for f in AuditEntry._meta.concrete_fields if not f.generated and f.name not in chained
    ]


def _values(entry: AuditEntry) -> list:
    """Each field's value prepared by the field, as the ORM's insert does."""
    return [f.get_db_prep_save(f.pre_save(entry, True), connection) for f in _value_fields()]


def _append(entry: AuditEntry, *, lazy: bool) -> None:
    """Give the entry its place after the head and write it; `lazy`: the append is its own
    transaction, committed without waiting for the disk (`commits_lazily`)."""
    if connection.vendor == "postgresql":
        params = [*_values(entry), _tail(entry)]
        sql = _statement(lazy)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            if row is None:  # the first entry ever: the head row does not exist yet
                _create_head()
                cursor.execute(sql, params)
                row = cursor.fetchone()
        entry.pk, entry.prev_hash, entry.entry_hash = row
    else:  # SQLite: the database's write lock serialises appenders
        with transaction.atomic(savepoint=False):
            head, _ = AuditChainHead.objects.get_or_create(pk=1)
            entry.pk, entry.prev_hash = head.last_id + 1, head.last_hash
            entry.entry_hash = _digest(entry.prev_hash, entry)
            entry.save(force_insert=True)
            AuditChainHead.objects.filter(pk=1).update(last_id=entry.pk, last_hash=entry.entry_hash)
    entry._state.adding = False
    entry._state.db = connection.alias


def _create_head() -> None:
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("id", "last_id", "last_hash") VALUES (1, 0, %s) '  # noqa: S608
            'ON CONFLICT ("id") DO NOTHING',
            [GENESIS],
        )


def commits_lazily(action: AuditAction | str, *, vendor: str, outermost: bool) -> bool:
    """Whether this entry's transaction may commit without waiting for the disk flush.

    Appends hold the chain head's row lock until COMMIT returns, and a synchronous commit
    returns only after the WAL flush: every audited read would queue behind the previous
    read's fsync (bench/lookup.py saw p95 commit waits of 7 ms on a busy disk). A read whose
    entry is the whole transaction therefore commits asynchronously on PostgreSQL. A crash can
    then lose only the newest read entries, as a suffix (WAL order is chain order), so the
    chain still verifies. Writes keep synchronous commit: their entry shares the write's
    transaction, and the change must not be durable without it.
    """
    return str(action) == AuditAction.READ and vendor == "postgresql" and outermost


@dataclass
class ChainReport:
    checked: int = 0
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch: int = 5000) -> ChainReport:
    report = ChainReport()
    prev, expected_id = GENESIS, 1
    for entry in _iterate(batch):
        if entry.pk != expected_id:
            report.broken_at, report.reason = expected_id, "missing entry"
            return report
        if entry.prev_hash != prev or _digest(prev, entry) != entry.entry_hash:
            report.broken_at, report.reason = entry.pk, "hash mismatch"
            return report
        prev, expected_id = entry.entry_hash, expected_id + 1
        report.checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (head.last_id != report.checked or head.last_hash != prev):
        report.broken_at, report.reason = report.checked + 1, "entries removed from the end"
    return report


def _iterate(batch: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = list(AuditEntry.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk
