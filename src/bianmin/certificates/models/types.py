"""What kinds of certificate exist and who issues them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.registry.models import Department, Division, OrgUnit


class HolderKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人和其他组织")


class CertificateType(models.Model):
    """A certificate type (证照类型): its fields, validity and issuing department.

    `code` is the catalogue's code (`catalog.sources.CERTIFICATE_TYPES`), the name a material's
    `shared_source` and an item's `result_certificate_type` use. `type_code` is the GB/T 36904
    证照类型代码 that goes into every identifier of the type. `fields` is the typed field list
    of the certificate's data: `[{"name": "disability_kind", "label": "残疾类别",
    "kind": "text" | "date" | "choice", "choices": [...], "required": true}]`.
    """

    code = models.CharField(_("类型代码"), max_length=40, primary_key=True)
    name = models.CharField(_("证照名称"), max_length=60)
    type_code = models.CharField(
        _("证照类型代码"),
        max_length=30,
        unique=True,
        help_text=_("GB/T 36904 电子证照标识中的证照类型代码，仅限数字和大写字母"),
    )
    holder_kind = models.CharField(_("持证主体类别"), max_length=12, choices=HolderKind.choices)
    fields = models.JSONField(_("照面信息项"), default=list, blank=True)
    validity_years = models.PositiveSmallIntegerField(
        _("有效期（年）"), null=True, blank=True, help_text=_("留空表示长期有效")
    )
    department = models.ForeignKey(
        Department, verbose_name=_("发证部门"), on_delete=models.PROTECT, related_name="+"
    )
    item_codes = models.JSONField(
        _("发证事项编码"),
        default=list,
        blank=True,
        help_text=_("这些事项办结（准予）时签发本证照；事项的“结果证照类型”同样生效"),
    )

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Issuer(models.Model):
    """An issuing authority (证照颁发机构), keyed by its unified social credit code, which
    goes into the identifier of every certificate it issues."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, primary_key=True)
    name = models.CharField(_("机构名称"), max_length=120)
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("对应组织机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("发证机构")
        verbose_name_plural = _("发证机构")
        ordering = ["credit_code"]

    def __str__(self) -> str:
        return self.name
