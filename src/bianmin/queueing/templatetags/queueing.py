from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> str:
    """A duration as 分 and 秒 (6分24秒), or — when there is none."""
    if value is None:
        return "—"
    total = round(value.total_seconds())
    m, s = divmod(total, 60)
    return _("%(m)d分%(s)02d秒") % {"m": m, "s": s}
