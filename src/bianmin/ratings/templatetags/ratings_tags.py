from __future__ import annotations

from django import template

from bianmin.ratings.models import Dimension

register = template.Library()


@register.filter
def star_text(n: int | None) -> str:
    """3 → ★★★☆☆"""
    if not n:
        return ""
    return "★" * int(n) + "☆" * (5 - int(n))


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def dimension_label(code: str) -> str:
    return str(Dimension(code).label)
