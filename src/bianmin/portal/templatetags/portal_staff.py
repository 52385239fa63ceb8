"""The resident's online account as staff see it on a person's profile
(`{% resident_account_card person %}` in the workbench's profile page)."""

from __future__ import annotations

from django import template

from bianmin.core.masking import mask_phone
from bianmin.portal.models import ResidentAccount
from bianmin.registry.models import LifeStatus

register = template.Library()


@register.inclusion_tag("portal/staff/account_card.html", takes_context=True)
def resident_account_card(context, person) -> dict:
    account = ResidentAccount.objects.select_related("user").filter(person=person).first()
    return {
        "request": context.get("request"),
        "person": person,
        "account": account,
        "phone_masked": mask_phone(account.phone) if account and account.phone else "",
        "active": bool(account and account.user.is_active and account.disabled_at is None),
        "can_enable": bool(
            account
            and (not account.user.is_active or account.disabled_at is not None)
            and person.life_status != LifeStatus.DECEASED
        ),
    }
