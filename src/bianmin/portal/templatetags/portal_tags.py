"""Small helpers for the portal's templates."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from bianmin.core.masking import mask_phone

register = template.Library()

# Which navigation entry a page belongs to (url name → section).
_SECTIONS = {
    "home": "home",
    "services": "services",
    "apply": "services",
    "cases": "cases",
    "case": "cases",
    "supplement": "cases",
    "rate": "cases",
    "rectification-feedback": "cases",
    "inbox": "inbox",
    "me": "me",
    "access-log": "me",
    "complaints": "me",
    "complaint": "me",
}


@register.simple_tag(takes_context=True)
def current(context, section: str) -> str:
    """` aria-current="page"` on the navigation entry of the page being shown."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match is not None and match.namespace == "portal" else ""
    return mark_safe(' aria-current="page"') if _SECTIONS.get(name) == section else ""


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value or "")


@register.filter
def filesize(value: int) -> str:
    value = int(value or 0)
    if value >= 1024 * 1024:
        return f"{value / 1024 / 1024:.1f} MB"
    return f"{max(1, round(value / 1024))} KB"
