"""Excel export of the shared-data access log: the log as filtered and cut to the user's area
by the scoped manager, audited like every export. The data subject's ID number is written
masked, and free text (purpose, reason) goes through `mask_text` in case a number was typed."""

from __future__ import annotations

from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.core.excel import Column, audited_export, given
from bianmin.core.masking import mask_text
from bianmin.sharing.models import DataAccess


def _subject(a: DataAccess) -> str:
    if a.person is not None:
        return a.person.name
    return a.organisation.name if a.organisation is not None else ""


def _subject_number(a: DataAccess) -> str:
    if a.person is not None:
        return a.person.id_masked
    return a.organisation.credit_code if a.organisation is not None else ""


ACCESS_COLUMNS = [
    Column(_("时间"), lambda a: a.at, 18),
    Column(_("操作人"), lambda a: a.actor_name, 12),
    Column(_("所在单位"), lambda a: a.org_unit_code, 18),
    Column(_("使用部门"), lambda a: a.department.name if a.department else "", 16),
    Column(_("数据项代码"), lambda a: a.item_code, 16),
    Column(_("数据项"), lambda a: a.item_name, 20),
    Column(_("数据主体"), _subject, 20),
    Column(_("证件号码"), _subject_number, 21),
    Column(_("数据主体所在区划"), lambda a: a.area_code, 16),
    Column(_("办件编号"), lambda a: a.case.case_no if a.case else "", 18),
    Column(_("用途"), lambda a: mask_text(a.purpose), 30),
    Column(_("结果"), lambda a: a.get_outcome_display(), 8),
    Column(_("原因"), lambda a: mask_text(a.reason), 30),
]


def export_access_log(
    *, actor: Actor, entries: QuerySet[DataAccess], filters: dict[str, Any], target: IO[bytes]
) -> int:
    rows = entries.select_related("department", "person", "organisation", "case")
    return audited_export(
        target,
        actor=actor,
        what="数据调用记录",
        columns=ACCESS_COLUMNS,
        rows=rows.iterator(chunk_size=1000),
        object_type="data_access",
        label="数据调用记录导出",
        changes={"filters": given(filters)},
    )
