"""Excel export of the administrator's list of messages delivery could not settle, audited like
every export. The recipient is written masked and every free text (subject, body, the gateway's
error) through `mask_text`: a body may carry a phone number or a temporary password."""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.core.excel import Column, audited_export
from bianmin.core.masking import mask_text
from bianmin.notifications.channels import masked_recipient
from bianmin.notifications.models import OutboxMessage
from bianmin.notifications.queries import is_uncertain


def failed_columns(now: dt.datetime) -> list[Column]:
    def state(m: OutboxMessage) -> object:
        return _("状态不明") if is_uncertain(m, now=now) else _("发送失败")

    return [
        Column(_("状态"), state, 10),
        Column(_("渠道"), lambda m: m.get_channel_display(), 8),
        Column(_("接收人"), masked_recipient, 16),
        Column(_("标题"), lambda m: mask_text(m.subject), 20),
        Column(_("内容"), lambda m: mask_text(m.body), 50),
        Column(_("尝试次数"), lambda m: m.attempts, 8),
        Column(_("最近错误"), lambda m: mask_text(m.last_error), 40),
        Column(_("生成时间"), lambda m: m.created_at, 18),
        Column(_("关联对象类型"), lambda m: m.related_type, 14),
        Column(_("关联对象编号"), lambda m: m.related_id, 16),
    ]


def export_failed(
    *, actor: Actor, messages: QuerySet[OutboxMessage], now: dt.datetime, target: IO[bytes]
) -> int:
    return audited_export(
        target,
        actor=actor,
        what="待处理消息",
        columns=failed_columns(now),
        rows=messages.iterator(chunk_size=1000),
        object_type="outbox_message",
        label="待处理消息导出",
        changes={"filters": {}},
    )
