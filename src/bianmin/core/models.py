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


# --- Working-day calendar (限时办结 counts working days) ---------------------------------------
#
# Where a day's status comes from, first match wins:
#   1. WorkdayOverride for that date (administrator-edited);
#   2. the `chinesecalendar` package, for the years it covers (statutory holidays and 调休);
#   3. the weekday rule (Monday–Friday work), for years the package does not cover.
# A year is *covered* when the package covers it OR a WorkdayYear row exists for it. Rule 3 alone
# is a guess, so in an uncovered year `bianmin.core.workdays` refuses to compute a due date (or
# returns it marked provisional); see that module.


class WorkdayOverride(models.Model):
    """One day whose working status differs from what the package (or the weekday rule) says.

    Two uses: entering the State Council's holiday notice for a year the package does not cover
    yet (2027 before the package is updated: 元旦, 春节 … as days off, 调休 weekends as working
    days), and local adjustments in any year (a day off the city grants, a Saturday window
    opening). Changes reach the per-process cache at once through the post_save/post_delete
    signals below; write through `bianmin.core.workdays` services, which audit them.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("是否工作日"), help_text=_("勾选：当天上班（如调休上班的周末）；不勾选：当天放假。")
    )
    name = models.CharField(_("名称"), max_length=40, blank=True, help_text=_("如：春节、国庆节"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        status = _("上班") if self.is_workday else _("放假")
        return f"{self.date.isoformat()} {status} {self.name}".rstrip()


class WorkdayYear(models.Model):
    """An administrator's declaration that a year's holiday notice has been fully entered.

    Needed only for years the package does not cover: publishing 2027 says "the State Council
    notice for 2027 is in the override table", which turns 2027 from guessed into covered. Kept
    apart from the overrides because it is a statement about the whole year (who vouched for it,
    from which notice), not about one day — and a year with no override at all cannot be
    published (the service refuses), so a covered year is never an empty guess.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(
        _("依据"),
        max_length=200,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已发布年度日历")
        verbose_name_plural = _("已发布年度日历")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


def _calendar_changed(sender, using, **kwargs) -> None:
    # Imported here: the calendar module imports these models.
    from bianmin.core import workdays

    workdays.calendar_changed(using=using)


for _model in (WorkdayOverride, WorkdayYear):
    models.signals.post_save.connect(
        _calendar_changed, sender=_model, dispatch_uid=f"workdays-save-{_model.__name__}"
    )
    models.signals.post_delete.connect(
        _calendar_changed, sender=_model, dispatch_uid=f"workdays-delete-{_model.__name__}"
    )


class JobRun(models.Model):
    """The last run of one registered background job (`bianmin.core.jobs`). Workers claim a
    due job by moving `last_started` forward with one conditional UPDATE, so however many
    worker processes run, a periodic job starts once per period."""

    name = models.CharField(_("任务"), max_length=80, unique=True)
    last_started = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_finished = models.DateTimeField(_("最近结束"), null=True, blank=True)
    last_ok = models.BooleanField(_("最近是否成功"), null=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("后台任务运行记录")
        verbose_name_plural = _("后台任务运行记录")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
