"""Queueing messages, and the administrator's decisions on the ones delivery could not settle.
Delivery itself lives in `delivery.py`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit, prepared
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.notifications.channels import masked_recipient
from bianmin.notifications.models import Channel, InboxItem, OutboxMessage, OutboxStatus
from bianmin.notifications.queries import is_uncertain
from bianmin.registry.models import Role


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
    message = OutboxMessage(
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
    # ON CONFLICT DO NOTHING instead of a savepoint around the insert: every intake and
    # transition queues a message, and the savepoint was two more round trips each time.
    if prepared.insert(message, unless_exists=("dedupe_key",)):
        return message
    return OutboxMessage.objects.get(dedupe_key=dedupe_key)


# --- the administrator's decisions ----------------------------------------------------------


def _require_admin(actor: Actor) -> None:
    if actor.user_id is None:  # the system itself (CLI, jobs)
        return
    user = get_user_model().objects.select_related("staff").filter(pk=actor.user_id).first()
    staff = getattr(user, "staff", None) if user is not None else None
    if user is None or not (user.is_superuser or (staff and staff.role == Role.ADMIN)):
        raise PermissionDenied(_("只有系统管理员可以处理发送失败的消息。"))


def _locked_for_decision(message_id: int, *, allow_pending: bool = False) -> OutboxMessage:
    message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise ValidationError(_("消息不存在。"), code="not_found")
    if message.status == OutboxStatus.FAILED or is_uncertain(message):
        return message
    if allow_pending and message.status == OutboxStatus.PENDING:
        return message
    raise ValidationError(
        _("该消息当前状态为“%(status)s”，无需人工处理。"),
        code="invalid_state",
        params={"status": message.get_status_display()},
    )


def _record(actor: Actor, message: OutboxMessage, old: str, *, note: str = "") -> None:
    changes: dict = {"status": [old, message.status]}
    if note:
        changes["note"] = note
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="outbox_message",
        object_id=message.pk,
        object_label=f"{message.get_channel_display()} {masked_recipient(message)}",
        changes=changes,
    )


def retry_message(*, actor: Actor, message_id: int) -> OutboxMessage:
    """Queue a failed (or uncertain) message again, now, with a fresh round of attempts. For
    an uncertain one this is the administrator's decision that it most likely did not leave."""
    _require_admin(actor)
    with transaction.atomic():
        message = _locked_for_decision(message_id)
        old = _status_label(message)
        message.status = OutboxStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = timezone.now()
        message.claimed_at = None
        message.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_at"])
        _record(actor, message, old)
    return message


def cancel_message(*, actor: Actor, message_id: int, reason: str = "") -> OutboxMessage:
    """Give up on a message (wrong number, the matter is settled another way)."""
    _require_admin(actor)
    with transaction.atomic():
        message = _locked_for_decision(message_id, allow_pending=True)
        old = _status_label(message)
        message.status = OutboxStatus.CANCELLED
        message.claimed_at = None
        message.save(update_fields=["status", "claimed_at"])
        _record(actor, message, old, note=reason)
    return message


def confirm_sent(*, actor: Actor, message_id: int) -> OutboxMessage:
    """An uncertain message the gateway's records show as delivered: settle it as sent."""
    _require_admin(actor)
    with transaction.atomic():
        message = _locked_for_decision(message_id)
        if not is_uncertain(message):
            raise ValidationError(_("只有状态不明的消息可以确认为已发送。"), code="invalid_state")
        old = _status_label(message)
        message.status = OutboxStatus.SENT
        message.sent_at = message.claimed_at
        message.claimed_at = None
        message.save(update_fields=["status", "sent_at", "claimed_at"])
        _record(actor, message, old, note="confirmed from the gateway's records")
    return message


def _status_label(message: OutboxMessage) -> str:
    return "uncertain" if is_uncertain(message) else message.status


# --- inboxes --------------------------------------------------------------------------------


def mark_read(*, user, item_id: int) -> InboxItem:
    """The recipient opened an in-app message (only their own: others' ids are not found)."""
    item = InboxItem.objects.filter(pk=item_id, user=user).first()
    if item is None:
        raise ValidationError(_("消息不存在。"), code="not_found")
    if item.read_at is None:
        InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
        item.refresh_from_db(fields=["read_at"])
    return item
