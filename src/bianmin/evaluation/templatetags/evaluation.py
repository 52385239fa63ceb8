"""Template helpers for the evaluation pages: rates as percentages, stars."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value: Decimal | None) -> str:
    """0.7778 → '77.78%'; no data → '—'."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.01'))}%"


@register.filter
def star_text(fig) -> str:
    """'★★★☆☆' for a rated centre, '样本不足' when it has too few ratings, '' otherwise."""
    if not getattr(fig, "rated_centre", False):
        return ""
    if fig.stars is None:
        return _("样本不足")
    return "★" * fig.stars + "☆" * (5 - fig.stars)
