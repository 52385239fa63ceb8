"""Key rotation and revocation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.certificates import signing
from bianmin.certificates.models import SigningKey
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction


def _create(actor: Actor) -> SigningKey:
    key = signing.new_key()
    key.save(force_insert=True)
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="certificate_key",
        object_id=key.key_id,
        object_label=key.key_id,
        changes={"algorithm": key.algorithm},
    )
    return key


@transaction.atomic
def active_key(*, actor: Actor) -> SigningKey:
    """The key new certificates are signed with; the first one is made on first use. Locked
    so concurrent first issues make one key, not two."""
    key = (
        SigningKey.objects.select_for_update()
        .filter(retired_at__isnull=True, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    return key or _create(actor)


@transaction.atomic
def rotate_key(*, actor: Actor) -> SigningKey:
    """Retire the active key (it keeps verifying what it signed) and start a new one."""
    now = timezone.now()
    retired = list(
        SigningKey.objects.select_for_update().filter(
            retired_at__isnull=True, revoked_at__isnull=True
        )
    )
    for old in retired:
        old.retired_at = now
        old.save(update_fields=["retired_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            object_type="certificate_key",
            object_id=old.key_id,
            object_label=old.key_id,
            changes={"retired_at": now.isoformat()},
        )
    return _create(actor)


@transaction.atomic
def revoke_key(*, actor: Actor, key_id: str, reason: str) -> SigningKey:
    """A compromised key: every signature it made fails verification from now on. The
    certificates themselves stay in the library; re-issue them to sign them anew."""
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": ValidationError(_("请填写吊销原因。"), code="reason_required")}
        )
    key = SigningKey.objects.select_for_update().filter(pk=key_id).first()
    if key is None:
        raise ValidationError(_("签名密钥不存在。"), code="unknown_key")
    if key.revoked_at is not None:
        raise ValidationError(_("该密钥已吊销。"), code="already_revoked")
    key.revoked_at = timezone.now()
    key.revoked_reason = reason.strip()
    key.retired_at = key.retired_at or key.revoked_at
    key.save(update_fields=["revoked_at", "revoked_reason", "retired_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="certificate_key",
        object_id=key.key_id,
        object_label=key.key_id,
        changes={"revoked_at": key.revoked_at.isoformat(), "reason": key.revoked_reason},
    )
    return key
