"""A resident's consent (授权) to share a sensitive item, given and withdrawn in the portal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor, AuditAction
from bianmin.registry.models import Department, Person
from bianmin.sharing.models import Consent, SharedDataItem


def _sensitive_item(code: str) -> SharedDataItem:
    item = SharedDataItem.objects.filter(code=code).first()
    if item is None:
        raise ValidationError(
            _("共享数据目录中没有“%(code)s”。"), code="unknown_item", params={"code": code}
        )
    if not item.sensitive:
        raise ValidationError(
            _("“%(item)s”不是敏感数据，无需本人授权。"),
            code="not_sensitive",
            params={"item": item.name},
        )
    return item


@transaction.atomic
def grant_consent(
    *, actor: Actor, person: Person, item_code: str, department: Department | None = None
) -> Consent:
    """The person consents to the item being shared with `department` (None: any department
    holding a grant). A consent already in force is not given twice."""
    item = _sensitive_item(item_code)
    active = Consent.unscoped.filter(
        person=person, item=item, department=department, withdrawn_at__isnull=True
    )
    if active.exists():
        raise ValidationError(
            _("您已授权共享“%(item)s”。"), code="already_granted", params={"item": item.name}
        )
    consent = Consent.unscoped.create(person=person, item=item, department=department)
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="sharing_consent",
        object_id=consent.pk,
        object_label=item.name,
        changes={
            "person": person.pk,
            "item": item.code,
            "department": getattr(department, "pk", ""),
        },
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor: Actor, person: Person, consent: Consent) -> Consent:
    """Withdrawn at once: the next fetch of the item for this person is refused."""
    consent = Consent.unscoped.select_for_update().select_related("item").get(pk=consent.pk)
    if consent.person_id != person.pk:
        raise ValidationError(_("只能撤回本人的授权。"), code="not_own_consent")
    if consent.withdrawn_at is not None:
        raise ValidationError(_("该授权已撤回。"), code="already_withdrawn")
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="sharing_consent",
        object_id=consent.pk,
        object_label=consent.item.name,
        changes={"withdrawn": True},
    )
    return consent
