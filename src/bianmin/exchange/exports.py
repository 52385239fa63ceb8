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
from bianmin.exchange.models import LifeEventRecord

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
    Column(_("重复告知次数"), lambda e: len(e.confirmations), 10),
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
