"""Reports (报表): one template filled for one reporting division and period, its hand-entered
cells, the frozen figures of a submission and the trail of its review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager
from bianmin.ledger.models.templates import ReportTemplate


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已上报待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核通过")


# A report in these states is frozen: its figures are the snapshot, nothing may be edited.
FROZEN_STATES = {ReportStatus.SUBMITTED, ReportStatus.APPROVED}


class Report(models.Model):
    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("报表模板"), on_delete=models.PROTECT, related_name="reports"
    )
    template_version = models.PositiveIntegerField(_("模板版本"))
    layout = models.JSONField(_("报表结构"))
    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("填报单位（区划）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_unit = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("填报机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The division code, so the central scope (code prefix) cuts reports like any area data.
    area_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    period = models.CharField(_("所属期"), max_length=10)
    period_start = models.DateField(_("所属期起"))
    period_end = models.DateField(_("所属期止"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # {"<row key>": {"<column key>": value}} — the computed cells as they were when submitted.
    frozen = models.JSONField(_("上报时的数据"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    principal = models.CharField(_("单位负责人"), max_length=40, blank=True)
    preparer = models.CharField(_("填表人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        ordering = ["-period_start", "template__code", "area_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "area_code", "period"], name="ledger_one_report_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.layout.get('name', '')} {self.period}"

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATES


class ManualCell(models.Model):
    """A figure the system cannot know, typed in by a person (手工填报), kept as text in the
    column's normal form ("12", "3.50", "是") and shown marked as hand-entered."""

    report = models.ForeignKey(
        Report, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="manual_cells"
    )
    row_key = models.CharField(_("行"), max_length=40)
    column_key = models.CharField(_("列"), max_length=40)
    value = models.CharField(_("值"), max_length=500)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_by_name = models.CharField(_("填报人姓名"), max_length=60, blank=True)
    entered_at = models.DateTimeField(_("填报时间"), auto_now=True)

    class Meta:
        verbose_name = _("手工填报数据")
        verbose_name_plural = _("手工填报数据")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "row_key", "column_key"], name="ledger_one_value_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.row_key}/{self.column_key}={self.value}"


class ReportAction(models.TextChoices):
    OPENED = "opened", _("开始填报")
    SUBMITTED = "submitted", _("上报")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回")


class ReportEvent(models.Model):
    report = models.ForeignKey(
        Report, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=10, choices=ReportAction.choices)
    actor_name = models.CharField(_("操作人"), max_length=60)
    org_unit_code = models.CharField(_("操作单位"), max_length=40, blank=True)
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报表流转记录")
        verbose_name_plural = _("报表流转记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.actor_name}"
