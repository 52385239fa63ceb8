"""Excel exports of the counter's lists and of the supervision tables. Each export is audited
like the registry's (how many rows, which filters); applicants' ID numbers only masked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case
from bianmin.core.audit import Actor
from bianmin.core.excel import Column, audited_export, given

_CHUNK = 1000


CASE_COLUMNS = [
    Column(_("办件编号"), lambda c: c.case_no, 20),
    Column(_("事项编码"), lambda c: c.item.code, 12),
    Column(_("事项名称"), lambda c: c.item.name, 30),
    Column(_("承办部门"), lambda c: c.item.department.name, 16),
    Column(_("申请人"), lambda c: c.applicant_name, 16),
    Column(_("证件号码"), lambda c: c.applicant_id_masked, 21),
    Column(_("申请渠道"), lambda c: c.get_channel_display(), 10),
    Column(_("受理单位"), lambda c: c.org_unit.name if c.org_unit else "", 24),
    Column(_("状态"), lambda c: c.get_status_display(), 10),
    Column(_("申请时间"), lambda c: c.submitted_at, 18),
    Column(_("受理日期"), lambda c: c.accepted_on, 12),
    Column(_("承诺办结日期"), lambda c: c.due_date, 12),
    Column(_("办结日期待定"), lambda c: c.due_provisional, 8),
    Column(_("预警"), lambda c: c.get_warning_level_display(), 10),
    Column(_("到现场次数"), lambda c: c.visit_count, 8),
    Column(_("最多跑动次数"), lambda c: c.item.max_visits, 8),
    Column(_("办结日期"), lambda c: c.closed_on, 12),
]


def export_cases(
    *,
    actor: Actor,
    cases: QuerySet[Case],
    title: str,
    filters: dict[str, Any],
    target: IO[bytes],
) -> int:
    return export_rows(
        actor=actor,
        rows=cases.iterator(chunk_size=_CHUNK),
        columns=CASE_COLUMNS,
        title=title,
        filters=filters,
        target=target,
    )


def export_rows(
    *,
    actor: Actor,
    rows: Iterable[Any],
    columns: Sequence[Column],
    title: str,
    filters: dict[str, Any],
    target: IO[bytes],
) -> int:
    """A supervision table (counts, pledges, extension requests) as one sheet."""
    return audited_export(
        target,
        actor=actor,
        what=title,
        columns=columns,
        rows=rows,
        object_type="case",
        label=f"{title}导出",
        changes={"filters": given(filters)},
    )


def rate(value: float | None) -> float | str:
    return "" if value is None else round(value * 100, 2)


COUNT_COLUMNS = [
    Column(_("在办"), lambda r: r["running"], 8),
    Column(_("正常"), lambda r: r["green"], 8),
    Column(_("黄灯预警"), lambda r: r["yellow"], 10),
    Column(_("红灯超期"), lambda r: r["red"], 10),
    Column(_("期间办结"), lambda r: r["closed"], 10),
    Column(_("按时办结"), lambda r: r["closed_on_time"], 10),
    Column(_("按时办结率（%）"), lambda r: rate(r["on_time_rate"]), 14),
]

DEPARTMENT_COLUMNS = [
    Column(_("部门代码"), lambda r: r["department"], 10),
    Column(_("承办部门"), lambda r: r["department_name"], 20),
    *COUNT_COLUMNS,
]

CENTRE_COLUMNS = [
    Column(_("受理单位编码"), lambda r: r["centre"] or "", 22),
    Column(_("受理单位"), lambda r: r["centre_name"] or _("（网上申报，待受理）"), 26),
    *COUNT_COLUMNS,
]

MONTH_COLUMNS = [
    Column(_("月份"), lambda r: r["month"], 10),
    Column(_("办结"), lambda r: r["closed"], 8),
    Column(_("按时办结"), lambda r: r["on_time"], 10),
    Column(_("超期办结"), lambda r: r["late"], 10),
    Column(_("按时办结率（%）"), lambda r: rate(r["rate"]), 14),
]

PLEDGE_COLUMNS = [
    Column(_("办件编号"), lambda p: p.case.case_no, 20),
    Column(_("事项名称"), lambda p: p.case.item.name, 30),
    Column(_("申请人"), lambda p: p.case.applicant_name, 16),
    Column(_("承诺补交材料"), lambda p: "、".join(m["name"] for m in p.materials), 40),
    Column(_("承诺补交日期"), lambda p: p.due_date, 12),
]

EXTENSION_COLUMNS = [
    Column(_("办件编号"), lambda e: e.case.case_no, 20),
    Column(_("事项名称"), lambda e: e.case.item.name, 30),
    Column(_("延长工作日数"), lambda e: e.workdays, 10),
    Column(_("延期理由"), lambda e: e.reason, 40),
    Column(_("申请人"), lambda e: e.requested_by.display_name, 12),
    Column(_("申请时间"), lambda e: e.requested_at, 18),
    Column(_("原办结日期"), lambda e: e.case.due_date, 12),
]
