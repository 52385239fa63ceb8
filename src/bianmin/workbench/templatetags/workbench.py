"""Small template helpers for the workbench layout."""

from __future__ import annotations

from django import template

from bianmin.workbench.common import is_admin as _is_admin

register = template.Library()


@register.simple_tag(takes_context=True)
def active(context, *prefixes: str) -> str:
    """'active' when the current URL name starts with one of the prefixes (left navigation)."""
    match = getattr(context.get("request"), "resolver_match", None)
    name = match.url_name if match else ""
    return "active" if name and any(name.startswith(p) for p in prefixes) else ""


@register.filter
def is_admin(user) -> bool:
    return _is_admin(user)


@register.inclusion_tag("workbench/partials/field.html")
def field(bound_field, css: str = ""):
    """One form field: label, input, inline errors, help text."""
    return {"f": bound_field, "css": css}
