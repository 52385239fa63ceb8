"""Where people queue: a service centre's hall, its window categories (A 社会保障, B 民政救助 …)
and its numbered windows. Organisational data, shown on the public display board, so these
tables are not scoped; the operations on them check the acting clerk's area."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.registry.models import Department, OrgUnit


class Hall(models.Model):
    """A service hall (办事大厅) of a service centre (an OrgUnit of kind 便民服务中心)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属服务中心"), on_delete=models.PROTECT, related_name="halls"
    )
    name = models.CharField(_("大厅名称"), max_length=120)
    # The centre's division prefix, copied so scope checks and scoped lists need no join.
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)
    no_show_after = models.PositiveSmallIntegerField(
        _("过号前呼叫次数"), default=3, help_text=_("呼叫满该次数仍未到窗口，方可记为过号")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办事大厅")
        verbose_name_plural = _("办事大厅")
        ordering = ["org_unit_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="uniq_hall_name"),
            models.CheckConstraint(condition=models.Q(no_show_after__gte=1), name="hall_n_ge_1"),
        ]

    def __str__(self) -> str:
        return self.name


class WindowCategory(models.Model):
    """A queue of the hall: one letter, one ticket sequence per day (A001, A002 …)."""

    hall = models.ForeignKey(
        Hall, verbose_name=_("办事大厅"), on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(
        _("号段字母"),
        max_length=1,
        validators=[RegexValidator(r"^[A-Z]$", _("号段须为一个大写英文字母。"))],
    )
    name = models.CharField(_("业务类别"), max_length=60)
    departments = models.ManyToManyField(
        Department, verbose_name=_("对应部门事项"), blank=True, related_name="+"
    )
    accepting = models.BooleanField(
        _("正在取号"), default=True, help_text=_("关闭后自助机和窗口都不能再取该类号")
    )
    daily_limit = models.PositiveIntegerField(
        _("每日放号上限"), null=True, blank=True, help_text=_("留空表示不限")
    )
    default_service_minutes = models.PositiveSmallIntegerField(
        _("预估每件办理时长（分钟）"),
        default=8,
        help_text=_("当天尚无办结记录时用于估算等候时间"),
    )

    class Meta:
        verbose_name = _("窗口业务类别")
        verbose_name_plural = _("窗口业务类别")
        ordering = ["hall_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="uniq_category_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Window(models.Model):
    """A numbered counter; it calls tickets of the categories it serves."""

    hall = models.ForeignKey(
        Hall, verbose_name=_("办事大厅"), on_delete=models.CASCADE, related_name="windows"
    )
    number = models.PositiveSmallIntegerField(_("窗口号"))
    label = models.CharField(_("窗口名称"), max_length=60, blank=True)
    categories = models.ManyToManyField(
        WindowCategory, verbose_name=_("办理类别"), related_name="windows"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("当前工作人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_open = models.BooleanField(_("开放"), default=False)
    opened_at = models.DateTimeField(_("开窗时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="uniq_window_number"),
        ]

    def __str__(self) -> str:
        return _("%(number)s号窗口") % {"number": self.number}
