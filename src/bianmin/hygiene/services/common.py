from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "unknown_place": _("找不到该公共场所，或不在您的管辖范围内。"),
    "place_closed": _("“%(name)s”已停业，不再安排检查。"),
    "no_sheet": _("“%(type)s”没有量化评分表。"),
    "score_range": _("第%(seq)s项“%(item)s”的得分须在0至%(max)s之间。"),
    "score_required": _("请为第%(seq)s项“%(item)s”评分。"),
    "unknown_item": _("评分表中没有编号为%(item)s的项目。"),
    "not_key_item": _("第%(seq)s项不是关键项目（※），不能判为关键项不合格。"),
    "future_date": _("检查日期不能晚于今天。"),
    "inspectors_required": _("请填写卫生监督员（至少两人执法）。"),
    "name_required": _("请填写场所名称。"),
    "address_required": _("请填写场所地址。"),
    "invalid_type": _("场所类别无效。"),
    "invalid_area": _("管辖区划代码无效，或不在您的管辖范围内。"),
    "unknown_organisation": _("法人库中找不到统一社会信用代码为%(code)s的单位。"),
    "operator_required": _("请填写经营单位名称，或选择法人库中的单位。"),
    "invalid_year": _("年度无效。"),
}


def error(key: str, field: str | None = None, **params: Any) -> ValidationError:
    e = ValidationError(MESSAGES[key], code=key, params=params or None)
    return ValidationError({field: e}) if field else e


def today() -> dt.date:
    return timezone.localdate()


DEFAULTS = {
    # Working days a place graded 差 has to put things right before the re-inspection.
    "HYGIENE_RECTIFY_WORKDAYS": 15,
}


def setting(name: str) -> int:
    return int(getattr(settings, "BIANMIN", {}).get(name, DEFAULTS[name]))
