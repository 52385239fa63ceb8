"""Read models of the outbox: what needs an administrator, and inboxes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from bianmin.notifications.delivery import sending_lease
from bianmin.notifications.models import InboxItem, OutboxMessage, OutboxStatus


def uncertain_q(now: dt.datetime | None = None) -> Q:
    """SENDING with no outcome past the lease: the deliverer died mid-send (状态不明)."""
    since = (now or timezone.now()) - sending_lease()
    return Q(status=OutboxStatus.SENDING, claimed_at__lt=since)


def needs_attention(*, now: dt.datetime | None = None) -> QuerySet[OutboxMessage]:
    """Failed and uncertain messages, newest first, each marked `uncertain`."""
    return (
        OutboxMessage.objects.filter(Q(status=OutboxStatus.FAILED) | uncertain_q(now))
        .select_related("recipient_user")
        .order_by("-created_at", "-pk")
    )


def attention_count(*, now: dt.datetime | None = None) -> int:
    return OutboxMessage.objects.filter(Q(status=OutboxStatus.FAILED) | uncertain_q(now)).count()


def is_uncertain(message: OutboxMessage, *, now: dt.datetime | None = None) -> bool:
    since = (now or timezone.now()) - sending_lease()
    return (
        message.status == OutboxStatus.SENDING
        and message.claimed_at is not None
        and message.claimed_at < since
    )


def inbox_for(*, user=None, person=None, address: str = "") -> QuerySet[InboxItem]:
    """One recipient's in-app messages, newest first (portal: the resident's account)."""
    if user is not None:
        items = InboxItem.objects.filter(user=user)
    elif person is not None:
        items = InboxItem.objects.filter(person=person)
    elif address:
        items = InboxItem.objects.filter(address=address)
    else:
        return InboxItem.objects.none()
    return items.order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    return InboxItem.objects.filter(user=user, read_at__isnull=True).count()
