"""What every queueing service shares: its errors (stable codes, zh-Hans messages) and the
scope check on a hall."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.core.errors import OutOfScope
from bianmin.core.scope import current_scope
from bianmin.queueing.models import Hall
from bianmin.registry.models import LifeStatus, Person

MESSAGES = {
    "category_closed": _("“%(category)s”暂停取号。"),
    "category_full": _("“%(category)s”今日号已取完，请改日或预约办理。"),
    "wrong_hall": _("所选业务类别不属于该大厅。"),
    "window_closed": _("%(window)s未开放，请先开窗。"),
    "window_busy": _("%(window)s当前的%(number)s号尚未办结，请先办结、转移或记为过号。"),
    "no_waiting_ticket": _("%(window)s办理的业务暂无等候的号。"),
    "invalid_transition": _("%(number)s号当前为“%(status)s”，不能%(action)s。"),
    "no_current_ticket": _("本窗口当前没有正在呼叫或办理的号。"),
    "not_enough_calls": _("%(number)s号已呼叫%(count)s次，呼叫满%(n)s次仍未到窗口方可记为过号。"),
    "same_category": _("转移的目标类别与当前类别相同。"),
    "unknown_case": _("办件编号“%(case_no)s”不存在。"),
    "case_no_required": _("请填写办件编号。"),
    "slot_full": _("该时段预约已满，请选择其他时段。"),
    "slot_not_workday": _("%(date)s不是工作日（法定节假日或休息日），不能预约。"),
    "slot_past": _("该时段已经开始或已结束，不能预约。"),
    "already_booked": _("该身份证号码在%(date)s已有预约，每人每天只能预约一个时段。"),
    "appointment_not_today": _("预约日期为%(date)s，只能在预约当天签到。"),
    "no_appointment": _("未找到该证件号码今天在本大厅的有效预约。"),
    "unknown_item": _("事项编码“%(code)s”不在事项清单中。"),
    "name_required": _("请填写姓名。"),
    "bad_slot_range": _("预约时段的结束时间须晚于开始时间，可约人数须大于0。"),
    "bad_range": _("结束日期不能早于开始日期。"),
    "range_too_long": _("一次最多生成%(days)s天的预约时段。"),
    "window_category_other_hall": _("窗口只能办理本大厅的业务类别。"),
    "unknown_category": _("业务类别不存在。"),
    "unknown_slot": _("预约时段不存在。"),
    "not_a_centre": _("只有便民服务中心（政务服务中心）可以设办事大厅。"),
    "applicant_deceased": _(
        "人口库登记该身份证号码的本人已死亡，不能以其名义取号或预约；"
        "为其办理相关事项，请使用办事人本人的身份证。"
    ),
}

# Several messages share one stable code: the code says what kind of refusal it is.
CODES = {
    "category_full": "category_closed",
    "same_category": "invalid_transition",
    "no_current_ticket": "invalid_transition",
    "not_enough_calls": "invalid_transition",
    "appointment_not_today": "invalid_transition",
}


def error(key: str, field: str | None = None, **params: Any) -> ValidationError:
    """The ValidationError for `key`; `field` attaches it to an input field of a form or API."""
    e = ValidationError(MESSAGES[key], code=CODES.get(key, key), params=params or None)
    return ValidationError({field: e}) if field else e


def ensure_hall_in_scope(hall: Hall) -> None:
    """Refuse to act on a hall outside the acting user's area (the CLI and jobs run unscoped)."""
    scope = current_scope.get()
    if scope is not None and not scope.covers(hall.area_code):
        raise OutOfScope(_("该办事大厅不在您的管辖范围内。"))


def ensure_not_deceased(person: Person | None) -> None:
    """No ticket or booking in a deceased person's name: a death cancels them (a life event,
    `queueing/lifeevents.py`), and the relative who comes about the estate queues as
    themself."""
    if person is not None and person.life_status == LifeStatus.DECEASED:
        raise error("applicant_deceased", "id_number")
