"""/notifications/failed/export/: the administrator's failed-message list as a sheet, recipient
and body masked, administrators only, audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from bianmin.core.models import AuditAction, AuditEntry
from bianmin.notifications.models import OutboxMessage, OutboxStatus
from tests import factories
from tests.notifications.conftest import MASKED, PHONE, sms
from tests.webclient import signed_in as client_for
from tests.webclient import xlsx_rows as sheet

pytestmark = pytest.mark.django_db
EXPORT = "/notifications/failed/export/"


@pytest.fixture
def messages(resident):
    """A failed SMS whose body quotes the phone number, an uncertain one, a pending one."""
    body = f"【便民服务】您的临时密码已发送至{PHONE}，请及时登录。"
    failed = sms(resident, key="f1", body=body)
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=OutboxStatus.FAILED, attempts=6, last_error=f"短信网关拒绝号码 {PHONE}"
    )
    uncertain = sms(resident, key="u1")
    OutboxMessage.objects.filter(pk=uncertain.pk).update(
        status=OutboxStatus.SENDING, attempts=1, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    sms(resident, key="still-pending")
    return failed, uncertain


def test_export_is_the_list_masked_and_audited(city_admin, messages):
    rows = sheet(client_for(city_admin).get(EXPORT))
    note, header, *data = rows
    assert "待处理消息" in note[0] and "city_admin" in note[0]
    assert header[:7] == ("状态", "渠道", "接收人", "标题", "内容", "尝试次数", "最近错误")
    assert sorted(r[0] for r in data) == ["发送失败", "状态不明"]  # not the pending one
    failed = next(r for r in data if r[0] == "发送失败")
    assert failed[2] == MASKED and MASKED in failed[4] and failed[5] == 6
    assert MASKED in failed[6]
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    assert PHONE not in text and not re.search(r"1[3-9]\d{9}", text)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_id == city_admin.pk and entry.object_type == "outbox_message"
    assert entry.changes == {"count": 2, "filters": {}}


def test_export_for_administrators_only(resident, messages):
    clerk = factories.staff("clerk", role="clerk", division="420102002000")
    assert client_for(clerk).get(EXPORT).status_code == 403
    assert Client().get(EXPORT).status_code == 302
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_page_links_to_the_export(city_admin, messages):
    assert (
        f'href="{EXPORT}"' in client_for(city_admin).get("/notifications/failed/").content.decode()
    )
