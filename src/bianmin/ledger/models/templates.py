"""Report templates (报表模板): what a report's rows and columns are, designed by users.

The column list is data (JSON), not schema: a new indicator or a new hand-entered column is a
template edit, never a migration. Each save bumps `version`; a report keeps a copy of the
layout it was opened with (`Report.layout`), so editing a template never reshapes a report
that has already been filled or submitted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    QUARTERLY = "quarterly", _("季报")
    YEARLY = "yearly", _("年报")


class RowKind(models.TextChoices):
    UNITS = "units", _("下级单位（区划）")
    CATEGORIES = "categories", _("分类")
    PERIODS = "periods", _("期间（逐月）")


class ColumnSource(models.TextChoices):
    INDICATOR = "indicator", _("指标（自动提取）")
    MANUAL = "manual", _("手工填报")
    # Categories reports: the figure of the row's own indicator (重点人群台帐: 老年人 → 人数).
    ROW_INDICATOR = "row", _("各行指标（自动提取）")


class ValueType(models.TextChoices):
    INT = "int", _("整数")
    DECIMAL = "decimal", _("小数")
    TEXT = "text", _("文字")
    CHOICE = "choice", _("选项")


class ReportTemplate(models.Model):
    code = models.SlugField(_("模板编码"), max_length=40, unique=True)
    name = models.CharField(_("报表名称"), max_length=100)
    frequency = models.CharField(_("报送周期"), max_length=10, choices=Frequency.choices)
    row_kind = models.CharField(_("行"), max_length=12, choices=RowKind.choices)
    # For RowKind.CATEGORIES: [{"key": "elderly", "label": "老年人", "indicator": "…"}, …]
    categories = models.JSONField(_("分类行"), default=list, blank=True)
    # [{"key", "label", "source", "indicator", "type", "unit", "min", "max", "required",
    #   "choices", "decimals"}] — validated by services.templates.clean_layout.
    columns = models.JSONField(_("列"), default=list)
    # Header rows above the column labels: [[{"label": "办件量", "span": 3}, …], …]
    headings = models.JSONField(_("多级表头"), default=list, blank=True)
    notes = models.TextField(_("填报说明"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("报表模板")
        verbose_name_plural = _("报表模板")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def layout(self) -> dict:
        """What a report copies when it is opened."""
        return {
            "version": self.version,
            "name": self.name,
            "frequency": self.frequency,
            "row_kind": self.row_kind,
            "categories": self.categories,
            "columns": self.columns,
            "headings": self.headings,
            "notes": self.notes,
        }
