from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.registry.models.divisions import Division


class Department(models.Model):
    """A line department (公安、人社、民政、卫健、市场监管 …)."""

    code = models.CharField(_("部门代码"), max_length=16, primary_key=True)
    name = models.CharField(_("部门名称"), max_length=60)
    short_name = models.CharField(_("简称"), max_length=10)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrgUnitKind(models.TextChoices):
    SERVICE_CENTRE = "centre", _("便民服务中心")
    DEPARTMENT_UNIT = "dept", _("部门单位")
    HEALTH_INSTITUTION = "health", _("医疗卫生机构")
    OFFICE = "office", _("管理机构")


class CentreGrade(models.TextChoices):
    MODEL = "model", _("示范型")
    STANDARD = "standard", _("标准型")
    SIMPLE = "simple", _("简易型")


class OrgUnit(models.Model):
    """A place staff work from: a service centre, a department's unit, a clinic. Its division
    is the area its staff are responsible for."""

    code = models.CharField(_("单位编码"), max_length=40, primary_key=True)
    name = models.CharField(_("单位名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=OrgUnitKind.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="org_units"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    grade = models.CharField(_("建设类型"), max_length=10, choices=CentreGrade.choices, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=30, blank=True)
    hours = models.CharField(_("办公时间"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    WINDOW_CLERK = "clerk", _("综合窗口人员")
    VILLAGE_AGENT = "agent", _("村（社区）代办员")
    DEPT_REVIEWER = "reviewer", _("部门审核人员")
    GRID_WORKER = "grid", _("社区（网格）工作人员")
    DOCTOR = "doctor", _("医生（卫生人员）")
    SUPERVISOR = "supervisor", _("监察人员")
    ADMIN = "admin", _("系统管理员")


class Staff(models.Model):
    """A staff account's place in the organisation; it decides the user's data scope."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="staff",
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="staff"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    display_name = models.CharField(_("姓名"), max_length=60)
    backup = models.ForeignKey(
        "self",
        verbose_name=_("B岗（替岗人）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backs_up",
    )

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return f"{self.display_name}（{self.org_unit.name}）"

    @property
    def area(self) -> Division:
        return self.org_unit.division
