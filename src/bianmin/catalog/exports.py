"""Excel export of the administrators' 事项实施清单: the current version of every item the
management list shows, one row each, audited like every export."""

from __future__ import annotations

from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.models import ServiceItem
from bianmin.core.audit import Actor
from bianmin.core.excel import Column, audited_export, given

ITEM_COLUMNS = [
    Column(_("事项编码"), lambda i: i.code, 18),
    Column(_("事项名称"), lambda i: i.name, 30),
    Column(_("事项类型"), lambda i: i.get_item_type_display(), 12),
    Column(_("服务对象"), lambda i: i.get_applicant_kind_display(), 12),
    Column(_("实施部门"), lambda i: i.department.name, 18),
    Column(_("可受理层级"), lambda i: "、".join(i.accept_level_labels), 36),
    Column(_("法定办结时限（工作日）"), lambda i: i.statutory_limit_days, 12),
    Column(_("承诺办结时限（工作日）"), lambda i: i.promised_limit_days, 12),
    Column(_("收费标准（元）"), lambda i: float(i.fee), 10),
    Column(_("可网上办理"), lambda i: i.online, 8),
    Column(_("到现场次数"), lambda i: i.visits_label, 12),
    Column(_("可容缺受理"), lambda i: i.allows_deficiency, 8),
    Column(_("现行版本"), lambda i: i.version, 8),
    # The list shows current versions only; the column says so in the sheet itself.
    Column(_("状态"), lambda i: _("现行") if i.is_current else "", 8),
    Column(_("编制时间"), lambda i: i.created_at, 18),
]


def export_items(
    *, actor: Actor, items: QuerySet[ServiceItem], filters: dict[str, Any], target: IO[bytes]
) -> int:
    return audited_export(
        target,
        actor=actor,
        what="事项实施清单",
        columns=ITEM_COLUMNS,
        rows=items.select_related("department").iterator(chunk_size=1000),
        object_type="service_item",
        label="事项实施清单导出",
        changes={"filters": given(filters)},
    )
