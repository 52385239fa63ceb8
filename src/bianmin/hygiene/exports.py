"""Excel export of the staff list of public places: the list as filtered, within the user's
area (the scoped manager), audited like every export. No personal numbers are kept here."""

from __future__ import annotations

from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.core.excel import Column, audited_export, given
from bianmin.hygiene.models import PublicPlace

PLACE_COLUMNS = [
    Column(_("场所名称"), lambda p: p.name, 24),
    Column(_("场所类别"), lambda p: p.get_place_type_display(), 12),
    Column(_("地址"), lambda p: p.address, 30),
    Column(_("经营单位"), lambda p: p.operator_name, 28),
    Column(
        _("统一社会信用代码"), lambda p: p.organisation.credit_code if p.organisation else "", 21
    ),
    Column(_("卫生许可证号"), lambda p: p.licence_no, 28),
    Column(_("当前等级"), lambda p: p.grade, 8),
    Column(_("最近检查日期"), lambda p: p.last_inspected_on, 12),
    Column(_("在营"), lambda p: p.active, 6),
    Column(_("管辖区划代码"), lambda p: p.area_code, 16),
]


def export_places(
    *, actor: Actor, places: QuerySet[PublicPlace], filters: dict[str, Any], target: IO[bytes]
) -> int:
    return audited_export(
        target,
        actor=actor,
        what="公共场所名单",
        sheet_title="公共场所",
        columns=PLACE_COLUMNS,
        rows=places.select_related("organisation").iterator(chunk_size=1000),
        object_type="public_place",
        label="公共场所名单导出",
        changes={"filters": given(filters)},
    )
