"""Data sharing between departments (数据共享): the catalogue of shared items, departments'
requests and grants, residents' consents, the log of every access, and the materials of a case
that shared data or e-certificates stood in for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import Scope, ScopedManager


class Sensitivity(models.TextChoices):
    GENERAL = "general", _("一般")
    # 敏感: shared only with the data subject's consent (授权) as well as a grant.
    SENSITIVE = "sensitive", _("敏感")


class SharedDataItem(models.Model):
    """One item of the shared-data catalogue (共享数据目录), owned by the department that
    keeps the data. Reference data, loaded by migration from `sharing/reference.py`."""

    code = models.SlugField(_("数据项代码"), max_length=40, primary_key=True)
    name = models.CharField(_("数据项名称"), max_length=60)
    owner = models.ForeignKey(
        "registry.Department",
        verbose_name=_("提供部门"),
        on_delete=models.PROTECT,
        related_name="shared_items",
    )
    sensitivity = models.CharField(
        _("敏感级别"), max_length=10, choices=Sensitivity.choices, default=Sensitivity.GENERAL
    )
    fields = models.JSONField(_("共享字段"), default=list, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("共享数据项")
        verbose_name_plural = _("共享数据项")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def sensitive(self) -> bool:
        return self.sensitivity == Sensitivity.SENSITIVE


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("已拒绝")


class AccessRequest(models.Model):
    """A department asks the owner of an item for access, for a purpose, within an area."""

    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("申请部门"),
        on_delete=models.PROTECT,
        related_name="sharing_requests",
    )
    item = models.ForeignKey(
        SharedDataItem, verbose_name=_("数据项"), on_delete=models.PROTECT, related_name="requests"
    )
    purpose = models.CharField(_("用途"), max_length=200)
    scope_prefix = models.CharField(
        _("使用范围（区划）"), max_length=14, help_text=_("区划代码前缀，如 4201 为全市")
    )
    requested_until = models.DateField(_("申请有效期至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    reason = models.CharField(_("审批意见"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.department} → {self.item}"


class Grant(models.Model):
    """Access granted on an approved request: the department may fetch the item for people
    whose area starts with `scope_prefix`, until `valid_until` (inclusive), unless revoked."""

    request = models.OneToOneField(
        AccessRequest, verbose_name=_("共享申请"), on_delete=models.PROTECT, related_name="grant"
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("使用部门"),
        on_delete=models.PROTECT,
        related_name="sharing_grants",
    )
    item = models.ForeignKey(
        SharedDataItem, verbose_name=_("数据项"), on_delete=models.PROTECT, related_name="grants"
    )
    scope_prefix = models.CharField(_("使用范围（区划）"), max_length=14)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("共享授权")
        verbose_name_plural = _("共享授权")
        ordering = ["item", "department", "-valid_until"]
        indexes = [models.Index(fields=["department", "item"], name="sharing_grant_dept_item")]

    def __str__(self) -> str:
        return f"{self.department} · {self.item}"

    def active_on(self, day) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until


class Consent(models.Model):
    """A resident's consent (授权) to share a sensitive item: with one department, or with
    any (`department` empty). Withdrawn, it stays on file with `withdrawn_at`."""

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("本人"),
        on_delete=models.CASCADE,
        related_name="sharing_consents",
    )
    item = models.ForeignKey(
        SharedDataItem, verbose_name=_("数据项"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("授权部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("数据授权")
        verbose_name_plural = _("数据授权")
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["person", "item"], name="sharing_consent_person")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.item_id}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(person__area_code__startswith=scope.area_prefix or "")


class AccessOutcome(models.TextChoices):
    ALLOWED = "allowed", _("已提供")
    NOT_FOUND = "not_found", _("无记录")
    DENIED = "denied", _("已拒绝")


class DataAccess(models.Model):
    """One access to a person's shared data or e-certificate, allowed or not (append-only)."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    org_unit_code = models.CharField(_("所在单位"), max_length=40, blank=True)
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("使用部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A shared data item's code or a certificate type's code (catalog/sources.py).
    item_code = models.CharField(_("数据项代码"), max_length=40)
    item_name = models.CharField(_("数据项"), max_length=60)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("数据主体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shared_accesses",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("数据主体（法人）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area_code = models.CharField(_("数据主体所在区划"), max_length=14, db_index=True)
    purpose = models.CharField(_("用途"), max_length=200)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("结果"), max_length=10, choices=AccessOutcome.choices)
    reason_code = models.CharField(_("原因代码"), max_length=30, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("数据调用记录")
        verbose_name_plural = _("数据调用记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="sharing_access_person")]

    def __str__(self) -> str:
        return f"{self.item_name} {self.at:%Y-%m-%d %H:%M}"


class SharedMaterial(models.Model):
    """A material of a case the platform fetched instead of asking the applicant for it, or
    tried to: where it came from (共享数据：… / 电子证照：…) or why it could not be fetched."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        on_delete=models.CASCADE,
        related_name="shared_materials",
    )
    code = models.SlugField(_("材料代码"), max_length=40)
    name = models.CharField(_("材料名称"), max_length=200)
    item_code = models.CharField(_("事项编码"), max_length=40, db_index=True)
    item_name = models.CharField(_("事项名称"), max_length=200)
    source_code = models.CharField(_("共享来源代码"), max_length=40)
    source_label = models.CharField(_("来源"), max_length=200)
    certificate_identifier = models.CharField(_("证照标识"), max_length=120, blank=True)
    found = models.BooleanField(_("已获取"), default=False)
    reason = models.CharField(_("未获取原因"), max_length=200, blank=True)
    access = models.ForeignKey(
        DataAccess,
        verbose_name=_("调用记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fetched_at = models.DateTimeField(_("获取时间"), default=timezone.now, db_index=True)
    area_code = models.CharField(_("受理中心区划"), max_length=14, db_index=True)

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("共享获取的材料")
        verbose_name_plural = _("共享获取的材料")
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="uniq_shared_material"),
        ]

    def __str__(self) -> str:
        return f"{self.name}：{self.source_label}"
