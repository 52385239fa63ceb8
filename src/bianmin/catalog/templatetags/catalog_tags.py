"""Template helpers for catalogue pages."""

from __future__ import annotations

from django import template

from bianmin.catalog.sources import source_label

register = template.Library()


@register.filter
def shared_label(code: str) -> str:
    """The name of the shared data or e-certificate that can stand in for a material."""
    return source_label(code)
