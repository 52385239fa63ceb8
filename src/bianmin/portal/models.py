"""The resident's side (一网): a portal account bound to a verified person of the 人口库, and
the files uploaded for online applications."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResidentAccount(models.Model):
    """A resident's sign-in. The account is only a session holder: who the person is was
    settled by the identity provider (registry match today, 统一身份认证 later), and everything
    the portal shows is read for `person` through `portal.access`.

    Resident users have no Staff profile, so the staff scope denies them every scoped row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="resident_account",
    )
    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("本人（人口库）"),
        on_delete=models.PROTECT,
        related_name="resident_account",
    )
    # The sign-in name: the registered mobile at the time of registration (unique, so one
    # phone signs into one person). Empty when a unified provider opened the account.
    phone = models.CharField(_("登录手机号"), max_length=11, unique=True, null=True, blank=True)
    provider = models.CharField(_("身份认证方式"), max_length=40)
    verified_at = models.DateTimeField(_("实名核验时间"))
    created_at = models.DateTimeField(_("开通时间"), default=timezone.now)
    # Sign-in stopped by the platform (the person died); the account and its history stay.
    disabled_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=100, blank=True)
    # Set when staff reset the password to a temporary one: the portal asks for a new password
    # before anything else.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("居民网上账号")
        verbose_name_plural = _("居民网上账号")

    def __str__(self) -> str:
        return f"{self.person_id}:{self.provider}"


def _upload_path(instance: Upload, filename: str) -> str:
    # Never the resident's file name on disk: a random name under a month folder.
    suffix = PurePosixPath(filename).suffix.lower()
    now = timezone.now()
    return f"portal/{now:%Y/%m}/{secrets.token_hex(16)}{suffix}"


class UploadPurpose(models.TextChoices):
    APPLICATION = "application", _("网上申报")
    SUPPLEMENT = "supplement", _("补正材料")


class Upload(models.Model):
    """One file for one material of a case. Stored under MEDIA_ROOT with a random name and
    never served as a static file: only through the owner-checked download view."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="+"
    )
    material_code = models.SlugField(_("材料代码"), max_length=40)
    material_name = models.CharField(_("材料名称"), max_length=200)
    purpose = models.CharField(_("用途"), max_length=12, choices=UploadPurpose.choices)
    file = models.FileField(_("文件"), upload_to=_upload_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=120)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传账号"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("上传材料")
        verbose_name_plural = _("上传材料")
        ordering = ["case", "uploaded_at", "id"]
        indexes = [models.Index(fields=["case", "material_code"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.material_code}"
