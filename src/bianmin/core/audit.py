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
    the change it describes. Free text is masked: no ID or phone number is stored in clear."""
    lazy = commits_lazily(
        action, vendor=connection.vendor, outermost=not connection.in_atomic_block
    )
    with transaction.atomic():
        if lazy:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            id=head.last_id + 1,
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
            prev_hash=head.last_hash,
        )
        entry.entry_hash = _digest(head.last_hash, entry)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(last_id=entry.pk, last_hash=entry.entry_hash)
    return entry


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
