"""Delivery of the outbox through the service functions: sent once, retried with back-off,
failed for an administrator, and never resent when the outcome of a send is unknown."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from bianmin.notifications import delivery
from bianmin.notifications.delivery import backoff, deliver_due
from bianmin.notifications.models import OutboxMessage, OutboxStatus
from bianmin.notifications.queries import attention_count, is_uncertain, needs_attention
from tests.notifications.conftest import MASKED, PHONE, sms
from tests.notifications.fakes import PermanentFailure, TemporaryFailure

pytestmark = pytest.mark.django_db


def status_of(message: OutboxMessage) -> OutboxMessage:
    message.refresh_from_db()
    return message


def test_a_due_message_is_sent_once_and_lands_in_the_file(resident, outbox_dir):
    # Given a message queued by a state change
    message = sms(resident)
    # When the deliverer runs twice
    first = deliver_due()
    second = deliver_due()
    # Then it was sent by the first run only
    assert (first.claimed, first.sent) == (1, 1) and not second
    message = status_of(message)
    assert message.status == OutboxStatus.SENT and message.attempts == 1
    assert message.sent_at is not None and message.last_error == ""
    # and the file (the gateway stand-in) holds one line, with the phone masked
    lines = (outbox_dir / "sms.jsonl").read_text().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["to"] == MASKED and PHONE not in lines[0]
    assert line["body"] == message.body and line["related"] == "case:BM20260929000123"


def test_queueing_the_same_key_twice_sends_one_message(resident, scripted):
    sms(resident, key="appointment:A1:booked")
    sms(resident, key="appointment:A1:booked")
    deliver_due()
    assert len(scripted.sent) == 1 and OutboxMessage.objects.count() == 1


def test_a_temporary_failure_is_retried_after_the_back_off_then_sent(resident, scripted):
    message = sms(resident)
    scripted.script = [TemporaryFailure("网关繁忙 for 13812345678")]
    now = timezone.now()
    # First attempt fails: back to the queue, a minute (±20%) later, error kept masked
    report = deliver_due(now=now)
    assert (report.retrying, report.sent) == (1, 0)
    message = status_of(message)
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    wait = message.next_attempt_at - now
    assert dt.timedelta(seconds=48) <= wait <= dt.timedelta(seconds=72)
    assert "网关繁忙" in message.last_error and PHONE not in message.last_error
    # Not due yet: nothing happens
    assert not deliver_due(now=now + dt.timedelta(seconds=30))
    # Due: the second attempt succeeds
    report = deliver_due(now=now + dt.timedelta(minutes=2))
    assert report.sent == 1
    message = status_of(message)
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    assert scripted.sent == [message.pk]


def test_back_off_grows_and_stays_jittered():
    waits = [backoff(n).total_seconds() for n in range(1, 8)]
    for wait, base in zip(waits, (60, 300, 1800, 7200, 21600, 21600, 21600), strict=True):
        assert base * 0.8 <= wait <= base * 1.2


def test_a_permanent_failure_fails_at_once_for_the_administrator(resident, scripted):
    message = sms(resident)
    scripted.script = [PermanentFailure("号码已停机")]
    report = deliver_due()
    assert report.failed == 1
    message = status_of(message)
    assert message.status == OutboxStatus.FAILED and message.attempts == 1
    assert message.last_error == "号码已停机"
    assert list(needs_attention()) == [message] and attention_count() == 1
    # A failed message is not picked up again
    assert not deliver_due(now=timezone.now() + dt.timedelta(days=1))


def test_the_last_temporary_failure_fails_the_message(resident, scripted, settings):
    settings.BIANMIN = {**settings.BIANMIN, "NOTIFY_MAX_ATTEMPTS": 3}
    message = sms(resident)
    scripted.script = [TemporaryFailure(f"超时 {n}") for n in range(5)]
    now = timezone.now()
    outcomes = []
    for hour in range(4):
        report = deliver_due(now=now + dt.timedelta(hours=hour * 7))
        outcomes.append((report.retrying, report.failed))
    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0)]
    message = status_of(message)
    assert message.status == OutboxStatus.FAILED and message.attempts == 3
    assert message.last_error == "超时 2" and scripted.sent == []


def test_an_sms_without_a_phone_number_fails_permanently(resident, outbox_dir):
    message = sms(resident)
    OutboxMessage.objects.filter(pk=message.pk).update(recipient_address="")
    assert deliver_due().failed == 1
    assert status_of(message).status == OutboxStatus.FAILED
    assert not (outbox_dir / "sms.jsonl").exists()


def test_a_misconfigured_channel_is_retried_not_lost(resident, settings):
    settings.BIANMIN = {
        **settings.BIANMIN,
        "NOTIFY_CHANNELS": {"sms": "http_sms", "in_app": "in_app"},
        "SMS_HTTP": {"URL": ""},
    }
    message = sms(resident)
    assert deliver_due().retrying == 1
    message = status_of(message)
    assert message.status == OutboxStatus.PENDING and "渠道配置错误" in message.last_error


def test_a_crash_after_sending_leaves_the_message_uncertain_never_resent(
    resident, scripted, monkeypatch
):
    # Given two due messages, and a deliverer that dies recording the first one as sent
    first = sms(resident, key="k1")
    second = sms(resident, key="k2")
    OutboxMessage.objects.filter(pk=second.pk).update(
        next_attempt_at=first.next_attempt_at + dt.timedelta(seconds=1)
    )
    original = delivery._mark_sent

    def crash(message, now):
        raise ConnectionError("database went away")

    monkeypatch.setattr(delivery, "_mark_sent", crash)
    now = timezone.now()
    with pytest.raises(ConnectionError):
        deliver_due(now=now)
    monkeypatch.setattr(delivery, "_mark_sent", original)
    # Then the first (which the gateway took) stays SENDING; the untried second is back
    assert scripted.sent == [first.pk]
    assert status_of(first).status == OutboxStatus.SENDING
    second = status_of(second)
    assert second.status == OutboxStatus.PENDING and second.attempts == 0
    # The next runs send the second one only — the first is never resent …
    deliver_due(now=now + dt.timedelta(minutes=1))
    deliver_due(now=now + dt.timedelta(hours=1))
    assert scripted.sent == [first.pk, second.pk]
    # … and past the lease it is shown to the administrator as uncertain
    first = status_of(first)
    assert not is_uncertain(first, now=now + dt.timedelta(minutes=5))
    assert is_uncertain(first, now=now + dt.timedelta(minutes=11))
    assert list(needs_attention(now=now + dt.timedelta(minutes=5))) == []
    assert list(needs_attention(now=now + dt.timedelta(minutes=11))) == [first]


def test_in_app_messages_reach_the_inbox_exactly_once(resident, baocheng_worker):
    from bianmin.notifications.models import Channel, InboxItem
    from bianmin.notifications.queries import inbox_for, unread_count
    from bianmin.notifications.services import mark_read, queue_message

    message = queue_message(
        dedupe_key="case:BM20260929000123:1:user",
        channel=Channel.IN_APP,
        body="您代办的事项已受理。",
        subject="BM20260929000123",
        recipient_user=baocheng_worker,
    )
    assert deliver_due().sent == 1
    item = InboxItem.objects.get()
    assert (item.message_id, item.user_id, item.body) == (
        message.pk,
        baocheng_worker.pk,
        "您代办的事项已受理。",
    )
    assert status_of(message).status == OutboxStatus.SENT
    assert list(inbox_for(user=baocheng_worker)) == [item]
    assert unread_count(user=baocheng_worker) == 1
    assert mark_read(user=baocheng_worker, item_id=item.pk).read_at is not None
    assert unread_count(user=baocheng_worker) == 0
    # Re-queued by an administrator by mistake: still one inbox item
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING)
    deliver_due()
    assert InboxItem.objects.count() == 1


def test_department_warnings_go_to_the_department_inbox(db):
    from bianmin.notifications.models import Channel, InboxItem
    from bianmin.notifications.queries import inbox_for
    from bianmin.notifications.services import queue_message

    queue_message(
        dedupe_key="case:BM20260929000123:7",
        channel=Channel.IN_APP,
        body="【办件预警】剩余2个工作日",
        recipient_address="dept:MZJ",
    )
    deliver_due()
    assert [i.body for i in inbox_for(address="dept:MZJ")] == ["【办件预警】剩余2个工作日"]
    assert InboxItem.objects.get().user_id is None
