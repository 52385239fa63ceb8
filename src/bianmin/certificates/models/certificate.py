"""The issued certificate (电子证照) and its serial-number counter."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.certificates.models.keys import SigningKey
from bianmin.certificates.models.types import CertificateType, HolderKind, Issuer
from bianmin.core.scope import ScopedManager


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已注销")
    EXPIRED = "expired", _("已过期")


class CertificateSource(models.TextChoices):
    CASE = "case", _("办件办结签发")
    EXCHANGE = "exchange", _("部门系统归集")
    MANUAL = "manual", _("窗口补录")


class HolderTypeCode(models.TextChoices):
    """持证主体代码类型 (证件类型代码) as used by the national e-certificate platform."""

    CITIZEN_ID = "111", _("居民身份证")
    CREDIT_CODE = "001", _("统一社会信用代码")


class Certificate(models.Model):
    """One electronic certificate. Identity, holder, issuer, dates and data are signed
    (services/signing.py: `canonical_content`); status is not, it changes after issue and is
    read from here when the certificate is verified."""

    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    type = models.ForeignKey(
        CertificateType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="+"
    )
    holder_kind = models.CharField(_("持证主体类别"), max_length=12, choices=HolderKind.choices)
    holder_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("持证人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_org = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("持证单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_type_code = models.CharField(
        _("持证主体代码类型"), max_length=3, choices=HolderTypeCode.choices
    )
    # The person's keyed ID hash (never the number) or the organisation's credit code (public).
    holder_key = models.CharField(_("持证主体代码索引"), max_length=64, db_index=True)
    holder_name = models.CharField(_("持证主体名称"), max_length=200)
    holder_id_masked = models.CharField(_("持证主体代码"), max_length=18)
    issuer = models.ForeignKey(
        Issuer, verbose_name=_("颁发机构"), on_delete=models.PROTECT, related_name="+"
    )
    issuer_name = models.CharField(_("颁发机构名称"), max_length=120)
    issuer_credit_code = models.CharField(_("颁发机构代码"), max_length=18)
    serial = models.CharField(_("流水号"), max_length=20)
    version = models.PositiveSmallIntegerField(_("版本号"), default=1)
    data = models.JSONField(_("照面信息"), default=dict, blank=True)
    issued_on = models.DateField(_("颁发日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
        db_index=True,
    )
    status_reason = models.CharField(_("状态变更原因"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    signing_key = models.ForeignKey(
        SigningKey, verbose_name=_("签名密钥"), on_delete=models.PROTECT, related_name="+"
    )
    signature = models.CharField(_("数字签名"), max_length=200)
    source = models.CharField(_("来源"), max_length=10, choices=CertificateSource.choices)
    source_system = models.CharField(_("来源系统"), max_length=100, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("来源办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["holder_key", "type"], name="cert_holder_type")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(holder_person__isnull=False) & Q(holder_org__isnull=True))
                | (Q(holder_person__isnull=True) & Q(holder_org__isnull=False)),
                name="certificate_one_holder",
            ),
            models.UniqueConstraint(
                fields=["type", "issuer", "serial", "version"], name="uniq_certificate_serial"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type.name}（{self.identifier}）"

    @property
    def holder(self):
        return self.holder_person or self.holder_org


class SerialCounter(models.Model):
    """Last serial number used per type, issuer and year: rows are locked while a number is
    taken, so two issues at once never get the same serial."""

    type = models.ForeignKey(CertificateType, on_delete=models.CASCADE, related_name="+")
    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("流水号计数")
        verbose_name_plural = _("流水号计数")
        constraints = [
            models.UniqueConstraint(fields=["type", "issuer", "year"], name="uniq_serial_counter")
        ]

    def __str__(self) -> str:
        return f"{self.type_id}/{self.issuer_id}/{self.year}: {self.last}"
