"""Excel exports of the administrators' exchange lists: life events, dead letters and the push
log, each the list as filtered and audited like every export.

Only masked numbers are written: the person's `id_masked`, a dead letter's `payload_masked`
(never its cipher), and free text (messages, outcome summaries) through `mask_text`, since a
department's error message may quote the number it refused."""

from __future__ import annotations

from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.core.excel import Column, audited_export, given
from bianmin.core.masking import mask_text
from bianmin.exchange.models import DeadLetter, LifeEventRecord, PushLog

_CHUNK = 1000


def _outcomes(e: LifeEventRecord) -> str:
    return "\n".join(
        mask_text(f"{o.get('handler', '')} {o.get('summary', '')}") for o in e.outcomes
    )


LIFE_EVENT_COLUMNS = [
    Column(_("登记时间"), lambda e: e.recorded_at, 18),
    Column(_("事件"), lambda e: e.get_kind_display(), 10),
    Column(_("人员"), lambda e: e.person.name, 10),
    Column(_("身份证号"), lambda e: e.person.id_masked, 21),
    Column(_("发生日期"), lambda e: e.occurred_on, 12),
    Column(_("信息来源"), lambda e: e.source, 16),
    Column(_("重复告知"), lambda e: len(e.confirmations), 10),
    Column(_("各业务处理结果"), _outcomes, 50),
    Column(_("已通知家属"), lambda e: e.family_notified.name if e.family_notified else "", 10),
    Column(_("登记人"), lambda e: e.recorded_by, 12),
    Column(_("管辖区划代码"), lambda e: e.area_code, 16),
]


def export_life_events(
    *,
    actor: Actor,
    events: QuerySet[LifeEventRecord],
    filters: dict[str, Any],
    target: IO[bytes],
) -> int:
    return audited_export(
        target,
        actor=actor,
        what="人员变动事件",
        columns=LIFE_EVENT_COLUMNS,
        rows=events.select_related("person", "family_notified").iterator(chunk_size=_CHUNK),
        object_type="life_event",
        label="人员变动事件导出",
        changes={"filters": given(filters)},
    )


def _department(client) -> str:
    return client.department.short_name if client is not None else ""


DEAD_LETTER_COLUMNS = [
    Column(_("时间"), lambda d: d.created_at, 18),
    Column(_("部门"), lambda d: _department(d.client), 10),
    Column(_("客户端标识"), lambda d: d.client.client_id, 18),
    Column(_("种类"), lambda d: d.get_kind_display(), 10),
    Column(_("部门记录号"), lambda d: d.record_id, 16),
    Column(_("身份证号码"), lambda d: d.payload_masked.get("id_number", ""), 21),
    Column(_("原因代码"), lambda d: d.reason_code, 16),
    Column(_("原因"), lambda d: mask_text(d.message), 40),
    Column(_("状态"), lambda d: d.get_status_display(), 10),
    Column(_("处理时间"), lambda d: d.resolved_at, 18),
    Column(_("处理说明"), lambda d: mask_text(d.resolution), 30),
]


def export_dead_letters(
    *,
    actor: Actor,
    letters: QuerySet[DeadLetter],
    filters: dict[str, Any],
    target: IO[bytes],
) -> int:
    # `payload_masked` only: the cipher is never read for a list.
    rows = letters.select_related("client__department").defer("payload_cipher")
    return audited_export(
        target,
        actor=actor,
        what="交换待处理记录",
        columns=DEAD_LETTER_COLUMNS,
        rows=rows.iterator(chunk_size=_CHUNK),
        object_type="dead_letter",
        label="交换待处理记录导出",
        changes={"filters": given(filters)},
    )


PUSH_COLUMNS = [
    Column(_("时间"), lambda p: p.at, 18),
    Column(_("部门"), lambda p: _department(p.client), 10),
    Column(_("客户端标识"), lambda p: p.client.client_id if p.client else p.claimed_client_id, 18),
    Column(_("接口"), lambda p: p.path, 28),
    Column(_("结果"), lambda p: p.get_outcome_display(), 12),
    Column(_("HTTP状态"), lambda p: p.http_status, 8),
    Column(_("已应用"), lambda p: p.applied, 8),
    Column(_("重复推送"), lambda p: p.replayed, 8),
    Column(_("转入待处理"), lambda p: p.dead_lettered, 10),
    Column(_("原因代码"), lambda p: p.reason_code, 16),
    Column(_("说明"), lambda p: mask_text(p.message), 40),
    Column(_("来源地址"), lambda p: p.ip, 15),
]


def export_pushes(
    *, actor: Actor, pushes: QuerySet[PushLog], filters: dict[str, Any], target: IO[bytes]
) -> int:
    return audited_export(
        target,
        actor=actor,
        what="推送日志",
        columns=PUSH_COLUMNS,
        rows=pushes.select_related("client__department").iterator(chunk_size=_CHUNK),
        object_type="push_log",
        label="推送日志导出",
        changes={"filters": given(filters)},
    )
