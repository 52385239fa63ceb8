"""What the ledger services share: error messages with stable codes, the audit call."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor

MESSAGES = {
    "bad_template_code": _(
        "模板编码只能用小写字母、数字、连字符，以字母开头（如 community-monthly）。"
    ),
    "duplicate_template_code": _("模板编码“%(code)s”已被使用。"),
    "name_required": _("请填写报表名称。"),
    "bad_frequency": _("报送周期须为月报、季报或年报。"),
    "bad_row_kind": _("行的类型须为下级单位、分类或期间。"),
    "no_columns": _("报表至少要有一列。"),
    "too_many_columns": _("报表最多%(max)s列。"),
    "bad_column_key": _("第%(n)s列的列代码“%(key)s”无效（小写字母开头，字母数字下划线）。"),
    "duplicate_column_key": _("列代码“%(key)s”重复。"),
    "column_label_required": _("第%(n)s列没有列名。"),
    "bad_column_source": _("第%(n)s列的数据来源须为指标或手工填报。"),
    "unknown_indicator": _("第%(n)s列引用的指标“%(code)s”在指标库中不存在。"),
    "source_needs_rows": _(
        "第%(n)s列：按分类分行的报表，自动提取的列取“各行指标”；其他报表的自动提取列须指定指标。"
    ),
    "unknown_row_indicator": _("分类“%(label)s”引用的指标“%(code)s”在指标库中不存在。"),
    "bad_value_type": _("第%(n)s列的数据类型须为整数、小数、文字或选项。"),
    "bad_bounds": _("第%(n)s列的取值范围无效（下限、上限须为数字，且下限不大于上限）。"),
    "choices_required": _("第%(n)s列为选项类型，请列出可选项。"),
    "bad_headings": _("表头第%(n)s行各格跨列数之和须等于列数%(count)s。"),
    "categories_required": _("按分类分行的报表请至少列出一个分类。"),
    "bad_category": _("分类“%(label)s”的代码无效或重复。"),
    "out_of_scope": _("该单位不在您的管辖范围内。"),
    "template_inactive": _("报表模板“%(name)s”已停用。"),
    "period_too_early": _("所属期%(period)s尚未开始，不能建立报表。"),
    "frozen": _(
        "报表“%(report)s”已上报（%(status)s），数据已冻结，不能修改；如需修改请由审核单位退回。"
    ),
    "unknown_cell": _("报表中没有“%(row)s / %(column)s”这个需手工填报的格子。"),
    "not_integer": _("“%(column)s”须填整数，“%(value)s”不是整数。"),
    "not_decimal": _("“%(column)s”须填数字，“%(value)s”不是数字。"),
    "too_many_decimals": _("“%(column)s”最多保留%(decimals)s位小数。"),
    "below_min": _("“%(column)s”不能小于%(min)s（填的是%(value)s）。"),
    "above_max": _("“%(column)s”不能大于%(max)s（填的是%(value)s）。"),
    "not_a_choice": _("“%(column)s”须从以下选项中选择：%(choices)s。"),
    "text_too_long": _("“%(column)s”最多500个字。"),
    "period_not_over": _("所属期%(period)s尚未结束（截至%(end)s），不能上报未结束期间的报表。"),
    "cells_missing": _("还有%(count)s个必填格子未填写（如“%(first)s”），请填完后再上报。"),
    "bad_transition": _("报表当前为“%(status)s”，不能%(action)s。"),
    "not_reviewer": _("只有上一级单位（%(parent)s）可以审核该报表。"),
    "reason_required": _("退回时请写明原因，以便填报单位修改。"),
}


def error(error_code: str, field: str | None = None, **params: Any) -> ValidationError:
    err = ValidationError(MESSAGES[error_code], code=error_code, params=params or None)
    return ValidationError({field: [err]}) if field else err


def audit_change(actor: Actor, action: str, obj, *, label: str, changes: dict) -> None:
    audit.record(
        actor,
        action,
        object_type=f"ledger.{type(obj).__name__.lower()}",
        object_id=obj.pk,
        object_label=label,
        changes=changes,
    )
