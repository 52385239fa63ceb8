"""Queueing messages. Delivery lives in `delivery.py`."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from bianmin.notifications.models import Channel, OutboxMessage


def queue_message(
    *,
    dedupe_key: str,
    body: str,
    channel: str = Channel.SMS,
    recipient_person=None,
    recipient_address: str = "",
    recipient_user=None,
    subject: str = "",
    related_type: str = "",
    related_id: str | int = "",
) -> OutboxMessage:
    """Queue one message inside the caller's transaction. The same `dedupe_key` queued twice
    (a retried request, a re-run sweep) yields the first message, never a second one."""
    if channel == Channel.SMS and not recipient_address and recipient_person is not None:
        recipient_address = recipient_person.phone
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(
                dedupe_key=dedupe_key,
                channel=channel,
                recipient_person=recipient_person,
                recipient_address=recipient_address,
                recipient_user=recipient_user,
                subject=subject,
                body=body,
                related_type=related_type,
                related_id=str(related_id),
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)
