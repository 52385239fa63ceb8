from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    REJECTED = "rejected", _("未导入（有错误）")
    FAILED = "failed", _("失败")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("全部正确才导入")
    VALID_ONLY = "valid", _("仅导入正确的行")


class ImportJob(models.Model):
    """One uploaded register sheet and what became of it, row by row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    stored_file = models.CharField(_("存储路径"), max_length=300, blank=True)
    mode = models.CharField(
        _("导入方式"), max_length=8, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增人数"), default=0)
    unchanged_count = models.PositiveIntegerField(_("已存在（跳过）"), default=0)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    error_file = models.CharField(_("错误明细文件"), max_length=300, blank=True)
    message = models.TextField(_("说明"), blank=True)
    area_prefix = models.CharField(_("导入人管辖范围"), max_length=14, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in {ImportStatus.DONE, ImportStatus.REJECTED} else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
