from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    READ = "read", _("查阅")
    REVEAL = "reveal", _("查看完整证件号")
    SEARCH = "search", _("查询")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    DELETE = "delete", _("删除")


class AuditEntry(models.Model):
    """One append-only entry of the audit log, chained to the previous one by hash.

    Never updated or deleted: the model refuses it and a database trigger (migration 0002)
    refuses it too. `bianmin audit verify` recomputes the chain.
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    org_unit_code = models.CharField(_("所在单位"), max_length=40, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=40, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, db_index=True, blank=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")


class AuditChainHead(models.Model):
    """The one row holding the newest hash. Appenders lock it, so the chain never forks."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"{self.last_id}:{self.last_hash[:12]}"
