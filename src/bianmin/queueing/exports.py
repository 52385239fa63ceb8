"""Excel export of the waiting-time figures (one row per day and category), audited like every
export."""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.excel import Column, write_xlsx
from bianmin.core.models import AuditAction
from bianmin.queueing.models import Hall
from bianmin.queueing.queries import CategoryDay, hall_stats


def minutes(value: dt.timedelta | None) -> float | str:
    return "" if value is None else round(value.total_seconds() / 60, 1)


STATS_COLUMNS = [
    Column(_("日期"), lambda r: r.day, 12),
    Column(_("号段"), lambda r: r.category.code, 6),
    Column(_("业务类别"), lambda r: r.category.name, 14),
    Column(_("取号数"), lambda r: r.issued, 9),
    Column(_("转入"), lambda r: r.transferred_in, 7),
    Column(_("办结"), lambda r: r.served, 7),
    Column(_("过号"), lambda r: r.no_shows, 7),
    Column(_("未叫号"), lambda r: r.waiting, 8),
    Column(_("平均等候（分钟）"), lambda r: minutes(r.avg_wait), 15),
    Column(_("P90等候（分钟）"), lambda r: minutes(r.p90_wait), 15),
    Column(_("平均办理（分钟）"), lambda r: minutes(r.avg_service), 15),
]


def export_hall_stats(
    *, actor: Actor, hall: Hall, start: dt.date, end: dt.date, target: IO[bytes]
) -> int:
    rows: list[CategoryDay] = hall_stats(hall=hall, start=start, end=end)
    note = (
        f"{hall.org_unit.name} {hall.name} 排队等候统计 {start}～{end}"
        f"　导出人：{actor.name}　导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"
    )
    count = write_xlsx(
        target, sheet_title="排队等候统计", columns=STATS_COLUMNS, rows=rows, note=note
    )
    audit.record(
        actor,
        AuditAction.EXPORT,
        object_type="queue_stats",
        object_id=hall.pk,
        object_label=f"{hall.name} 排队等候统计（{count}条）",
        changes={"start": start, "end": end, "count": count},
    )
    return count
