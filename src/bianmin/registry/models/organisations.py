from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager
from bianmin.registry.models.divisions import Division
from bianmin.registry.models.people import Person


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("存续")
    REVOKED = "revoked", _("吊销")
    CANCELLED = "cancelled", _("注销")


class Organisation(models.Model):
    """An enterprise, individual business, social organisation or public body (法人库),
    keyed by its unified social credit code (GB 32100)."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    registrar = models.CharField(_("登记管理部门"), max_length=30)
    org_category = models.CharField(_("机构类别"), max_length=30, db_index=True)
    legal_rep = models.ForeignKey(
        Person,
        verbose_name=_("法定代表人（负责人）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="represented_organisations",
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("住所所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    address = models.CharField(_("住所"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    established = models.DateField(_("成立日期"), null=True, blank=True)
    status = models.CharField(
        _("登记状态"),
        max_length=10,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.ACTIVE,
    )
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("法人单位")
        verbose_name_plural = _("法人单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
