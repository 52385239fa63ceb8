"""Signing keys. Rotation retires a key (it signs no more, its signatures still verify);
revocation (a compromised key) makes every signature it made fail verification."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    key_id = models.CharField(_("密钥标识"), max_length=32, primary_key=True)
    algorithm = models.CharField(_("算法"), max_length=16, default="Ed25519")
    public_key = models.CharField(_("公钥（Base64）"), max_length=120)
    # The raw private key, AES-256-GCM sealed with the field key (core/crypto.py).
    private_cipher = models.TextField(_("私钥（密文）"))
    created_at = models.DateTimeField(_("启用时间"), auto_now_add=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key_id

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.retired_at:
            return "retired"
        return "active"
