"""Append-only, hash-chained audit log of who touched which personal record, and why."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
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
    body = json.dumps(
        [
            prev_hash,
            entry.pk,
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
    )
    return hashlib.sha256(body.encode()).hexdigest()


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

    Every audited request appends, so this is two round trips on PostgreSQL — lock the head
    (and choose the commit mode), then insert the entry and move the head in one statement —
    with SQL built once per process: the ORM's three statements and a savepoint cost more CPU
    than the rest of a look-up. Nested in the caller's transaction it takes no savepoint: a
    failure leaves that transaction unusable (Django refuses further queries until it rolls
    back), so nothing half-written can be committed."""
    lazy = commits_lazily(
        action, vendor=connection.vendor, outermost=not connection.in_atomic_block
    )
    with transaction.atomic(savepoint=False):
        last_id, last_hash = _lock_head(lazy)
        entry = AuditEntry(
            id=last_id + 1,
            at=timezone.now(),
            actor_id=actor.user_id,
            actor_name=actor.name[:150],
            org_unit_code=actor.org_unit_code,
            action=str(action),
            object_type=object_type,
            object_id=str(object_id),
            object_label=mask_text(object_label)[:200],
            purpose=mask_text(actor.purpose)[:200],
            changes=json.loads(
                mask_text(json.dumps(changes or {}, ensure_ascii=False, default=str))
            ),
            ip=actor.ip,
            prev_hash=last_hash,
        )
        entry.entry_hash = _digest(last_hash, entry)
        _append(entry)
    return entry


_sql: dict[str, tuple[str, str, str, list]] = {}


def _statements() -> tuple[str, str, str, list]:
    """(lock the head, the same committing lazily, insert the entry and move the head, the
    entry's fields) for this database; built from the models once per process."""
    known = _sql.get(connection.vendor)
    if known is not None:
        return known
    qn = connection.ops.quote_name
    head = qn(AuditChainHead._meta.db_table)
    fields = [f for f in AuditEntry._meta.concrete_fields if not f.generated]
    columns = ", ".join(qn(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    # Identifiers come from the models, values are bound: nothing from a request.
    insert = f"INSERT INTO {qn(AuditEntry._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
    move = f'UPDATE {head} SET "last_id" = %s, "last_hash" = %s WHERE "id" = 1'  # noqa: S608
    columns_read = '"last_id", "last_hash"'
    lock = f'SELECT {columns_read} FROM {head} WHERE "id" = 1'  # noqa: S608
    if connection.vendor == "postgresql":
        # set_config(…, true) is SET LOCAL: the commit mode goes with the lock, no round trip.
        lazily = (
            f"SELECT set_config('synchronous_commit', 'off', true), {columns_read} "  # noqa: S608
            f'FROM {head} WHERE "id" = 1 FOR UPDATE'
        )
        known = (f"{lock} FOR UPDATE", lazily, f"WITH e AS ({insert}) {move}", fields)
    else:  # SQLite: the database's write lock serialises appenders; one statement at a time
        known = (lock, lock, f"{insert};{move}", fields)
    _sql[connection.vendor] = known
    return known


def _lock_head(lazy: bool) -> tuple[int, str]:
    """Lock the chain head and read it; `lazy`: this transaction commits without waiting for
    the disk (`commits_lazily`) — the setting is the transaction's own."""
    plain, lazily, _write, _fields = _statements()
    with connection.cursor() as cursor:
        cursor.execute(lazily if lazy else plain)
        row = cursor.fetchone()
    if row is None:  # the first entry ever: the head row does not exist yet
        if lazy and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        return head.last_id, head.last_hash
    return row[-2], row[-1]


def _append(entry: AuditEntry) -> None:
    """Insert the entry (values prepared by each field, as the ORM's insert does) and move
    the head to it."""
    _plain, _lazily, write, fields = _statements()
    values = [f.get_db_prep_save(f.pre_save(entry, True), connection) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(write, [*values, entry.pk, entry.entry_hash])
        else:
            insert, move = write.split(";")
            cursor.execute(insert, values)
            cursor.execute(move, [entry.pk, entry.entry_hash])
    entry._state.adding = False
    entry._state.db = connection.alias


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
