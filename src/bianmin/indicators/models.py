"""Stored side of the library: the declarations mirrored to a table (report templates reference
indicators by code), computed values per unit and month, and frozen snapshots."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndicatorDefinition(models.Model):
    """Mirror of a declared indicator (the declaration in code is the source; `sync_definitions`
    writes this table after migrate and before each refresh). An indicator no longer declared
    stays, inactive, so stored values and templates that name it keep their meaning."""

    code = models.CharField(_("指标代码"), max_length=60, primary_key=True)
    name = models.CharField(_("指标名称"), max_length=100)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    kind = models.CharField(_("类型"), max_length=10)
    formula = models.TextField(_("公式说明"), blank=True)
    source = models.CharField(_("数据来源"), max_length=40)
    category = models.CharField(_("分类"), max_length=40, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Snapshot(models.Model):
    """A frozen set of figures (a submitted report's): its values never change afterwards."""

    period = models.CharField(_("统计期"), max_length=7, db_index=True)
    root_code = models.CharField(_("区划"), max_length=14)
    label = models.CharField(_("名称"), max_length=200)
    codes = models.JSONField(_("指标"), default=list)
    created_at = models.DateTimeField(_("冻结时间"), default=timezone.now)
    created_by = models.CharField(_("冻结人"), max_length=150)

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label}（{self.period}）"


class IndicatorValue(models.Model):
    """A computed figure of one indicator for one unit and month. `snapshot` empty = the live
    value, replaced by each refresh; set = frozen with that snapshot."""

    indicator = models.ForeignKey(
        IndicatorDefinition,
        verbose_name=_("指标"),
        on_delete=models.PROTECT,
        related_name="values",
        db_constraint=True,
    )
    unit_code = models.CharField(_("区划或网格代码"), max_length=14)
    prefix = models.CharField(_("代码前缀"), max_length=14)
    period = models.CharField(_("统计期"), max_length=7)
    numerator = models.DecimalField(_("分子（数值）"), max_digits=20, decimal_places=4)
    denominator = models.DecimalField(
        _("分母"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(_("指标值"), max_digits=20, decimal_places=4, null=True)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    snapshot = models.ForeignKey(
        Snapshot,
        verbose_name=_("快照"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="values",
    )

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        ordering = ["indicator", "period", "prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "unit_code"],
                condition=Q(snapshot__isnull=True),
                name="uniq_live_indicator_value",
            ),
            models.UniqueConstraint(
                fields=["snapshot", "indicator", "unit_code"],
                condition=Q(snapshot__isnull=False),
                name="uniq_frozen_indicator_value",
            ),
        ]
        indexes = [models.Index(fields=["period", "indicator", "prefix"], name="ind_value_unit")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_code} {self.period}"


class Partial(models.Model):
    """Per raw area code (grid, or community for rows without a grid) and month: the amount of a
    count/sum measure. The incremental refresh recomputes only the touched codes' partials and
    rolls all of them up again, instead of re-reading the month's rows."""

    indicator_code = models.CharField(max_length=60)
    part = models.PositiveSmallIntegerField()  # 0 measure / numerator, 1 denominator
    period = models.CharField(max_length=7)
    area_code = models.CharField(max_length=14)
    amount = models.DecimalField(max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("指标分区汇总")
        verbose_name_plural = _("指标分区汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_code", "period", "part", "area_code"], name="uniq_partial"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code} {self.period} {self.area_code}"


class RefreshRun(models.Model):
    """One refresh of a month's live values: when it started (the next incremental refresh
    looks for rows changed since then), how, and how much it touched."""

    class Mode(models.TextChoices):
        FULL = "full", _("全量")
        INCREMENTAL = "incremental", _("增量")

    period = models.CharField(_("统计期"), max_length=7, db_index=True)
    root_code = models.CharField(_("区划"), max_length=14)
    mode = models.CharField(_("方式"), max_length=12, choices=Mode.choices)
    codes = models.JSONField(_("指标"), default=list)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    touched_areas = models.PositiveIntegerField(_("涉及区划数"), default=0)
    values_written = models.PositiveIntegerField(_("更新指标值数"), default=0)

    class Meta:
        verbose_name = _("指标刷新记录")
        verbose_name_plural = _("指标刷新记录")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.mode} {self.started_at:%Y-%m-%d %H:%M}"


class TouchedArea(models.Model):
    """An area that lost rows without any row of it changing: the old area of a person who
    moved (their row now carries the new area). The incremental refresh re-reads these areas
    too, so the old area's figures drop without waiting for a full refresh."""

    area_code = models.CharField(_("区划或网格代码"), max_length=14)
    touched_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    reason = models.CharField(_("原因"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("待重算区划")
        verbose_name_plural = _("待重算区划")
        ordering = ["-touched_at", "-id"]

    def __str__(self) -> str:
        return f"{self.area_code} {self.touched_at:%Y-%m-%d %H:%M}"
