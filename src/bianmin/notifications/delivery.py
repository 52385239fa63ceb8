"""Delivering the outbox: claim due messages, send them, record the outcome.

    PENDING ──claim──▶ SENDING ──send ok──▶ SENT
       ▲                  │ TemporaryFailure, attempts left: back to PENDING, later
       └──────────────────┤ PermanentFailure, or the last attempt: FAILED (administrator)
                          │ no outcome recorded within the lease: 状态不明 (administrator)

Claiming locks the due rows with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL: concurrent
deliverers take disjoint rows; SQLite: the IMMEDIATE transaction serialises them) and marks
them SENDING in the same transaction, so no two deliverers ever hold the same message.
Sending happens outside any transaction — a gateway call must not hold row locks.

Never twice (at-most-once for SMS): if the process dies after the gateway accepted a message
and before SENT is written, the message stays SENDING. We cannot know whether it left, and a
duplicate "准予许可" text is worse than a late one that a clerk re-sends after checking, so a
message SENDING past the lease is *not* resent automatically: it is shown to the
administrator as 状态不明, who checks the gateway's log and marks it sent, re-queues or
cancels it. In-app messages write only to our database; their insert and the SENT mark share
one transaction, so they are exactly-once and never uncertain.

Duplicates at queueing time (a retried request, a re-run sweep) are already excluded by the
outbox's unique `dedupe_key`.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bianmin.core.masking import mask_text
from bianmin.notifications.channels import (
    Channel,
    PermanentFailure,
    TemporaryFailure,
    channel_for,
)
from bianmin.notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, … failed attempt: a gateway hiccup is retried within minutes, an
# outage of hours is still bridged. ±20% jitter, so a backlog does not come back all at once.
BACKOFF_SECONDS = (60, 300, 1800, 7200, 21600)
JITTER = 0.2
# Claimed per transaction: small, so the last of a batch is tried well within the lease even
# with a slow gateway (20 × a 10 s timeout = 200 s < 600 s).
CLAIM_BATCH = 20


def max_attempts() -> int:
    return int(settings.BIANMIN.get("NOTIFY_MAX_ATTEMPTS", len(BACKOFF_SECONDS) + 1))


def sending_lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.BIANMIN.get("NOTIFY_SENDING_LEASE", 600)))


def backoff(attempt: int, rng: random.Random | None = None) -> dt.timedelta:
    """How long to wait after failed attempt number `attempt` (1-based)."""
    base = BACKOFF_SECONDS[min(max(attempt, 1), len(BACKOFF_SECONDS)) - 1]
    factor = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return dt.timedelta(seconds=base * factor)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __bool__(self) -> bool:
        return self.claimed > 0

    def __str__(self) -> str:
        return (
            f"发送 {self.claimed} 条：成功 {self.sent}，待重试 {self.retrying}，失败 {self.failed}"
            f" / sent {self.sent}, retrying {self.retrying}, failed {self.failed}"
        )


def deliver_due(*, now: dt.datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send up to `limit` messages that are due. Safe to run in any number of processes."""
    report = DeliveryReport()
    channels: dict[str, Channel | Exception] = {}
    while report.claimed < limit:
        at = now or timezone.now()
        batch = claim_due(now=at, limit=min(CLAIM_BATCH, limit - report.claimed))
        if not batch:
            break
        report.claimed += len(batch)
        pending = list(batch)
        try:
            while pending:
                # Off the list before sending: if recording its outcome fails, this one stays
                # SENDING (it may have left), while the untried rest go back to the queue.
                message = pending.pop(0)
                outcome = _deliver(message, channels, now=now or timezone.now())
                setattr(report, outcome, getattr(report, outcome) + 1)
        finally:
            # Claimed but never tried (an error is tearing us down): they did not leave, so
            # they go back to the queue instead of turning 状态不明.
            if pending:
                _release([m.pk for m in pending])
    return report


def claim_due(*, now: dt.datetime, limit: int) -> list[OutboxMessage]:
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(OutboxMessage.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk"))


def _release(ids: list[int]) -> None:
    OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING, claimed_at=None, attempts=F("attempts") - 1
    )


def _channel(name: str, cache: dict[str, Channel | Exception]) -> Channel:
    if name not in cache:
        try:
            cache[name] = channel_for(name)
        except Exception as e:  # a configuration mistake: retried until someone fixes it
            logger.exception("notification channel for %s cannot be set up", name)
            cache[name] = e
    found = cache[name]
    if isinstance(found, Exception):
        raise TemporaryFailure(f"渠道配置错误 / channel misconfigured: {found}")
    return found


def _deliver(message: OutboxMessage, cache: dict, *, now: dt.datetime) -> str:
    """Send one claimed message; returns the report field it counts in."""
    try:
        channel = _channel(message.channel, cache)
        if channel.transactional:
            with transaction.atomic():
                channel.send(message)
                _mark_sent(message, now)
            return "sent"
        channel.send(message)
    except PermanentFailure as e:
        return _failed(message, str(e))
    except TemporaryFailure as e:
        return _retry_or_fail(message, str(e), now=now)
    except Exception as e:  # a bug in a channel: retried like an outage, and logged
        logger.exception("notification %s: channel error", message.pk)
        return _retry_or_fail(message, f"{type(e).__name__}: {e}", now=now)
    # Outside the try on purpose: if recording fails after the gateway took the message, the
    # message must stay SENDING (状态不明), not be scheduled for a second send.
    _mark_sent(message, now)
    return "sent"


def _mark_sent(message: OutboxMessage, now: dt.datetime) -> None:
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.SENT, sent_at=now, last_error=""
    )


def _retry_or_fail(message: OutboxMessage, error: str, *, now: dt.datetime) -> str:
    if message.attempts >= max_attempts():
        return _failed(message, error)
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING,
        next_attempt_at=now + backoff(message.attempts),
        last_error=mask_text(error)[:1000],
        claimed_at=None,
    )
    logger.info("notification %s: attempt %s failed, will retry", message.pk, message.attempts)
    return "retrying"


def _failed(message: OutboxMessage, error: str) -> str:
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.FAILED, last_error=mask_text(error)[:1000], claimed_at=None
    )
    logger.warning("notification %s failed for good: %s", message.pk, mask_text(error))
    return "failed"
