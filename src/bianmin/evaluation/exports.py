"""Excel exports: the monthly figures (one table per file) and the task and complaint lists,
each audited like every export. Complainants' phones are written masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.excel import Column, audited_export, export_note, write_xlsx
from bianmin.core.models import AuditAction
from bianmin.evaluation.models import Complaint, RectificationTask
from bianmin.evaluation.queries import Figures, Stats


def percent(value: Decimal | None) -> float | str:
    return "" if value is None else float(value * 100)


def star_text(fig: Figures) -> str:
    if not fig.rated_centre:
        return ""
    return "★" * fig.stars if fig.stars else str(_("样本不足"))


def _figure_columns(first: list[Column], last: tuple[Column, ...] = ()) -> list[Column]:
    return [
        *first,
        Column(_("评价数"), lambda f: f.ratings, 8),
        Column(_("非常满意"), lambda f: f.by_level[5], 9),
        Column(_("满意"), lambda f: f.by_level[4], 7),
        Column(_("基本满意"), lambda f: f.by_level[3], 9),
        Column(_("不满意"), lambda f: f.by_level[2], 8),
        Column(_("非常不满意"), lambda f: f.by_level[1], 10),
        Column(_("满意率（%）"), lambda f: percent(f.satisfaction_rate), 11),
        Column(_("差评"), lambda f: f.bad, 7),
        Column(_("按时整改"), lambda f: f.on_time, 9),
        Column(_("整改超期"), lambda f: f.overdue, 9),
        Column(_("按时整改率（%）"), lambda f: percent(f.on_time_rate), 14),
        Column(_("投诉"), lambda f: f.complaints, 7),
        Column(_("投诉属实"), lambda f: f.complaints_founded, 9),
        Column(_("投诉超期"), lambda f: f.complaints_overdue, 9),
        *last,
    ]


TABLES: dict[str, tuple[Any, str, list[Column]]] = {
    "org_units": (
        _("按服务中心（单位）"),
        "org_units",
        _figure_columns(
            [
                Column(_("单位编码"), lambda f: f.key, 22),
                Column(_("服务中心（单位）"), lambda f: f.name, 26),
            ],
            last=(Column(_("星级"), star_text, 10),),
        ),
    ),
    "staff": (
        _("按工作人员"),
        "staff",
        _figure_columns(
            [
                Column(_("工作人员"), lambda f: f.name, 12),
                Column(_("所在单位"), lambda f: f.unit, 26),
            ]
        ),
    ),
    "departments": (
        _("按部门"),
        "departments",
        _figure_columns(
            [Column(_("部门代码"), lambda f: f.key, 10), Column(_("部门"), lambda f: f.name, 20)]
        ),
    ),
}


def export_stats(*, actor: Actor, stats: Stats, table: str, target: IO[bytes]) -> int:
    title, attr, columns = TABLES[table]
    what = f"好差评统计 {stats.month} {title}"
    rows = [*getattr(stats, attr), stats.totals]
    count = write_xlsx(
        target,
        sheet_title=f"{stats.month}{title}",
        columns=columns,
        rows=rows,
        note=export_note(actor, what),
    )
    rows_counted = count - 1  # the totals row is not a row of the list
    audit.record(
        actor,
        AuditAction.EXPORT,
        object_type="evaluation_stats",
        object_label=f"{what}（{rows_counted}条）",
        changes={"count": rows_counted, "period": stats.month, "table": table},
    )
    return count


def _on(on: dt.date):
    return lambda x: "是" if x.overdue_on(on) else ""


def task_columns(on: dt.date) -> list[Column]:
    return [
        Column(_("编号"), lambda t: str(t), 10),
        Column(_("办件编号"), lambda t: t.case.case_no, 18),
        Column(_("事项"), lambda t: t.case.item.name, 24),
        Column(_("申请人"), lambda t: t.case.applicant_name, 10),
        Column(_("评价"), lambda t: t.rating.get_level_display(), 10),
        Column(_("评价意见"), lambda t: t.rating.comment, 30),
        Column(_("责任单位"), lambda t: t.org_unit.name if t.org_unit else "", 22),
        Column(_("责任部门"), lambda t: t.department.name if t.department else "", 14),
        Column(_("状态"), lambda t: t.get_status_display(), 12),
        Column(_("轮次"), lambda t: t.round, 6),
        Column(_("开始时间"), lambda t: t.opened_at, 18),
        Column(_("核实期限"), lambda t: t.verify_due, 12),
        Column(_("答复期限"), lambda t: t.due_date, 12),
        Column(_("超期"), _on(on), 6),
        Column(_("答复内容"), lambda t: t.answer, 30),
        Column(_("办结时间"), lambda t: t.closed_at, 18),
    ]


def complaint_columns(on: dt.date) -> list[Column]:
    return [
        Column(_("投诉编号"), lambda c: c.complaint_no, 18),
        Column(_("渠道"), lambda c: c.get_channel_display(), 10),
        Column(_("投诉人"), lambda c: c.complainant_name, 10),
        Column(_("手机号码"), lambda c: c.phone_masked, 14),
        Column(_("投诉对象"), lambda c: c.get_subject_kind_display(), 10),
        Column(_("所涉办件"), lambda c: c.case.case_no if c.case else "", 18),
        Column(_("被投诉人"), lambda c: c.staff.display_name if c.staff else "", 10),
        Column(_("责任单位"), lambda c: c.org_unit.name if c.org_unit else "", 22),
        Column(_("投诉内容"), lambda c: c.content, 36),
        Column(_("状态"), lambda c: c.get_status_display(), 12),
        Column(_("核实属实"), lambda c: {True: "是", False: "否"}.get(c.founded, ""), 8),
        Column(_("受理时间"), lambda c: c.opened_at, 18),
        Column(_("答复期限"), lambda c: c.due_date, 12),
        Column(_("超期"), _on(on), 6),
        Column(_("答复内容"), lambda c: c.answer, 30),
    ]


def export_tasks(
    *,
    actor: Actor,
    tasks: QuerySet[RectificationTask],
    on: dt.date,
    filters: dict,
    target: IO[bytes],
) -> int:
    return audited_export(
        target,
        actor=actor,
        what="差评整改任务",
        sheet_title="差评整改",
        columns=task_columns(on),
        rows=tasks.iterator(chunk_size=1000),
        object_type="rectification",
        label="差评整改任务导出",
        changes={"filters": filters},
    )


def export_complaints(
    *, actor: Actor, complaints: QuerySet[Complaint], on: dt.date, filters: dict, target: IO[bytes]
) -> int:
    return audited_export(
        target,
        actor=actor,
        what="投诉",
        columns=complaint_columns(on),
        rows=complaints.iterator(chunk_size=1000),
        object_type="complaint",
        label="投诉导出",
        changes={"filters": filters},
    )
