"""/notifications/failed/: the administrator sees failed and uncertain messages (masked) and
settles them — re-queue, confirm as sent, cancel — through audited services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.core.models import AuditEntry
from bianmin.notifications import services
from bianmin.notifications.models import OutboxMessage, OutboxStatus
from tests import factories
from tests.notifications.conftest import MASKED, PHONE, sms
from tests.webclient import signed_in as client_for

pytestmark = pytest.mark.django_db
PAGE = "/notifications/failed/"


def failed(resident, key: str = "f1") -> OutboxMessage:
    message = sms(resident, key=key)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.FAILED, attempts=6, last_error="短信网关返回 HTTP 400"
    )
    return message


def uncertain(resident, key: str = "u1") -> OutboxMessage:
    message = sms(resident, key=key)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING,
        attempts=1,
        claimed_at=timezone.now() - dt.timedelta(minutes=30),
    )
    return message


def test_the_page_is_for_administrators_only(resident):
    clerk = factories.staff("clerk", role="clerk", division="420102002000")
    failed(resident)
    assert client_for(clerk).get(PAGE).status_code == 403
    assert Client().get(PAGE).status_code == 302  # to the sign-in page
    message = OutboxMessage.objects.get()
    assert client_for(clerk).post(f"{PAGE}{message.pk}/retry/").status_code == 403
    assert OutboxMessage.objects.get().status == OutboxStatus.FAILED


def test_admin_sees_failed_and_uncertain_masked(resident, city_admin):
    f, u = failed(resident), uncertain(resident)
    sms(resident, key="still-pending")
    recent = uncertain(resident, key="u-recent")
    OutboxMessage.objects.filter(pk=recent.pk).update(claimed_at=timezone.now())
    response = client_for(city_admin).get(reverse("notifications:failed"))
    assert response.status_code == 200
    page = response.context["page"]
    assert {m.pk: m.uncertain for m in page} == {f.pk: False, u.pk: True}
    html = response.content.decode()
    assert "状态不明" in html and "发送失败" in html and "短信网关返回 HTTP 400" in html
    assert MASKED in html and PHONE not in html
    # the nav badge number
    assert response.context["notifications_attention"]() == 2


def test_the_list_costs_the_same_queries_for_more_rows(resident, city_admin):
    client = client_for(city_admin)
    failed(resident, "a")
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for n in range(8):
        failed(resident, f"more{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(PAGE)
    assert len(many) == len(few)


def test_retry_requeues_with_fresh_attempts_and_is_audited(resident, city_admin):
    message = failed(resident)
    response = client_for(city_admin).post(f"{PAGE}{message.pk}/retry/", follow=True)
    assert "已重新排队发送" in response.content.decode()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert message.next_attempt_at <= timezone.now()
    entry = AuditEntry.objects.filter(object_type="outbox_message").get()
    assert entry.object_id == str(message.pk) and entry.actor_id == city_admin.pk
    assert entry.changes["status"] == ["failed", "pending"]
    assert PHONE not in entry.object_label and MASKED in entry.object_label


def test_an_uncertain_message_can_be_confirmed_as_sent(resident, city_admin):
    message = uncertain(resident)
    client_for(city_admin).post(f"{PAGE}{message.pk}/confirm/")
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.sent_at is not None
    entry = AuditEntry.objects.filter(object_type="outbox_message").get()
    assert entry.changes["status"] == ["uncertain", "sent"]


def test_cancel_and_refusals(resident, city_admin):
    message, sending = failed(resident), uncertain(resident)
    client = client_for(city_admin)
    client.post(f"{PAGE}{message.pk}/cancel/")
    message.refresh_from_db()
    assert message.status == OutboxStatus.CANCELLED
    # A cancelled (settled) message cannot be re-queued; a failed one cannot be "confirmed"
    response = client.post(f"{PAGE}{message.pk}/retry/", follow=True)
    assert "无需人工处理" in response.content.decode()
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.CANCELLED
    other = failed(resident, "f2")
    with pytest.raises(ValidationError) as raised:
        services.confirm_sent(actor=Actor(name="cli"), message_id=other.pk)
    assert raised.value.code == "invalid_state"
    # A message still inside its lease belongs to its deliverer
    OutboxMessage.objects.filter(pk=sending.pk).update(claimed_at=timezone.now())
    with pytest.raises(ValidationError):
        services.retry_message(actor=Actor(name="cli"), message_id=sending.pk)
    assert client.post(f"{PAGE}{message.pk}/explode/").status_code == 404


def test_the_services_refuse_non_administrators(resident):
    clerk = factories.staff("clerk2", role="clerk", division="420102002000")
    message = failed(resident)
    with pytest.raises(PermissionDenied):
        services.retry_message(actor=Actor(user_id=clerk.pk, name="clerk2"), message_id=message.pk)
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.FAILED
