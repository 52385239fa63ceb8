"""Excel export of the year's reward and warning lists (audited)."""

from __future__ import annotations

from typing import IO

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.excel import Column, write_xlsx
from bianmin.core.models import AuditAction
from bianmin.ratings.models import YearNotice
from bianmin.ratings.queries import YearRow


def _columns(kind: str, notices: dict[str, YearNotice]) -> list[Column]:
    columns = [
        Column(_("服务中心"), lambda r: r.centre_name, 28),
        Column(_("区划代码"), lambda r: r.area_code, 16),
        Column(_("已发布月数"), lambda r: r.months, 10),
        Column(_("五星月数"), lambda r: r.five_star, 10),
        Column(_("未达五星月数"), lambda r: r.below_five, 12),
    ]
    if kind == YearNotice.Kind.WARNING:
        on = timezone.localdate()

        def status(r: YearRow) -> str:
            notice = notices.get(r.centre_id)
            if notice is None:
                return str(_("未下发"))
            if notice.overdue_on(on):
                return str(_("逾期未整改"))
            return str(notice.get_status_display())

        columns += [
            Column(
                _("整改期限"),
                lambda r: notices[r.centre_id].deadline if r.centre_id in notices else "",
                12,
            ),
            Column(_("整改情况"), status, 12),
            Column(
                _("整改情况说明"),
                lambda r: notices[r.centre_id].follow_up if r.centre_id in notices else "",
                30,
            ),
        ]
    return columns


def export_list(
    *,
    actor: Actor,
    year: int,
    kind: str,
    rows: list[YearRow],
    notices: dict[str, YearNotice],
    target: IO[bytes],
) -> int:
    title = str(YearNotice.Kind(kind).label)
    what = f"{year}年度星级{title}名单"
    count = write_xlsx(
        target,
        sheet_title=what,
        columns=_columns(kind, notices),
        rows=rows,
        note=f"{what}，{actor.name} 导出于 {timezone.localtime():%Y-%m-%d %H:%M}",
    )
    audit.record(
        actor,
        AuditAction.EXPORT,
        object_type="ratings.list",
        object_id=f"{year}-{kind}",
        object_label=what,
        changes={"rows": count},
    )
    return count
