"""Errors, months and centres shared by the ratings services."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import current_scope
from bianmin.evaluation import stars as star_rule
from bianmin.registry.models import OrgUnit, OrgUnitKind

MESSAGES = {
    "invalid_month": _("月份格式应为“YYYY-MM”，例如2026-10。"),
    "future_month": _("%(month)s尚未开始，不能评定或自评。"),
    "not_centre": _("“%(name)s”不是乡镇（街道）或村（社区）便民服务中心，不参加星级评定。"),
    "unknown_centre": _("找不到该服务中心，或不在您的管辖范围内。"),
    "self_late": _("%(month)s的自评须在%(deadline)s前报送，已过报送期限。"),
    "self_twice": _("%(centre)s已报送%(month)s的自评。"),
    "score_range": _("“%(dimension)s”的分值须在0至%(max)s之间。"),
    "score_required": _("请填写“%(dimension)s”的自评分。"),
    "unknown_dimension": _("没有“%(dimension)s”这一评定项目。"),
    "findings_required": _("请填写明察暗访发现的问题（至少5个字）。"),
    "supervisor_required": _("请填写检查人。"),
    "future_date": _("检查日期不能晚于今天。"),
    "month_locked": _("%(month)s的星级评定已发布，不能再修改。"),
    "nothing_to_publish": _("%(month)s还没有评定结果，请先评定再发布。"),
    "invalid_year": _("年度无效。"),
    "no_published_month": _("%(year)s年还没有已发布的月度星级。"),
    "invalid_status": _("整改情况只能登记为“整改中”或“已整改”。"),
    "not_a_warning": _("只有警告需要登记整改情况。"),
    "follow_up_required": _("请填写整改情况说明（至少5个字）。"),
}


def error(key: str, field: str | None = None, **params: Any) -> ValidationError:
    e = ValidationError(MESSAGES[key], code=key, params=params or None)
    return ValidationError({field: e}) if field else e


def today() -> dt.date:
    return timezone.localdate()


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise error("invalid_month", "month")
    return int(match.group(1)), int(match.group(2))


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    year, mon = parse_month(month)
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


def self_deadline(month: str) -> dt.date:
    """Seed 001: the self-assessment reaches the 管委会 "在当月30日前" — the 30th of the month
    itself; February, which has no 30th, its last day."""
    year, mon = parse_month(month)
    return dt.date(year, mon, min(30, calendar.monthrange(year, mon)[1]))


def rated_centres() -> QuerySet[OrgUnit]:
    """Town/street and village/community centres in the acting user's area."""
    centres = OrgUnit.objects.filter(
        kind=OrgUnitKind.SERVICE_CENTRE, division__level__in=star_rule.RATED_LEVELS
    ).select_related("division")
    scope = current_scope.get()
    if scope is not None:
        centres = scope.restrict(centres, "division__prefix")
    return centres.order_by("division_id", "code")


def centre_by_code(code: str) -> OrgUnit:
    """The rated centre `code`, in scope; errors say whether it exists but is no centre."""
    unit = OrgUnit.objects.select_related("division").filter(code=code).first()
    scope = current_scope.get()
    if unit is None or (scope is not None and not scope.covers(unit.division.prefix)):
        raise error("unknown_centre", "centre")
    if not star_rule.is_rated_centre(unit.kind, unit.division.level):
        raise error("not_centre", "centre", name=unit.name)
    return unit


def points(value: Any, *, dimension: str, maximum: Decimal, field: str) -> Decimal:
    from bianmin.ratings.models import Dimension

    label = Dimension(dimension).label
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise error("score_range", field, dimension=label, max=maximum) from None
    if not number.is_finite() or number < 0 or number > maximum:
        raise error("score_range", field, dimension=label, max=maximum)
    return number
