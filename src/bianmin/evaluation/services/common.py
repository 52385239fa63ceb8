"""What every evaluation service shares: settings with their defaults, errors (stable codes,
zh-Hans messages), who acts, and deadlines in working days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.core.workdays import add_workdays_provisional
from bianmin.registry.models import Role, Staff

# Time limits in working days and other knobs, overridable in settings.BIANMIN. The defaults
# follow the common local implementations of 国办发〔2019〕51号 (好差评制度): a bad review is
# called back and verified within 1 working day and rectified and answered within 5; a
# complaint is verified within 1 and answered within 10 (docs/evaluation.md).
DEFAULTS: dict[str, int] = {
    "RECTIFY_VERIFY_WORKDAYS": 1,
    "RECTIFY_WORKDAYS": 5,
    "COMPLAINT_VERIFY_WORKDAYS": 1,
    "COMPLAINT_WORKDAYS": 10,
    # A second complaint from the same person about the same subject within this many
    # minutes is a double submission: the first one is answered.
    "COMPLAINT_DEDUPE_MINUTES": 30,
    # A centre with fewer ratings in the month is not given stars (too few to judge).
    "STAR_MIN_RATINGS": 5,
}


def setting(name: str) -> int:
    return int(getattr(settings, "BIANMIN", {}).get(name, DEFAULTS[name]))


def today() -> dt.date:
    return timezone.localdate()


# --- errors ---------------------------------------------------------------------------------

MESSAGES = {
    "case_not_closed": _("办件%(case_no)s当前为“%(status)s”，办结或结果送达后才能评价。"),
    "not_applicant": _("只有申请人本人（或受托的代办员）可以评价该办件。"),
    "already_rated": _("办件%(case_no)s已经评价过，每次办事只能评价一次。"),
    "invalid_level": _("评价等级须为1至5（非常不满意、不满意、基本满意、满意、非常满意）。"),
    "invalid_channel": _("评价渠道无效。"),
    "comment_required": _("选择“不满意”或“非常不满意”时请写明原因，以便核实整改。"),
    "staff_not_on_case": _("“%(name)s”没有经办该办件（受理或送达），不能对其评价。"),
    "invalid_transition": _("%(number)s当前为“%(status)s”，不能%(action)s。"),
    "notes_required": _("请填写%(what)s。"),
    "not_complainant": _("只有投诉人本人可以对答复作出评价。"),
    "subject_required": _("请指明投诉的办件、工作人员或服务单位。"),
    "content_required": _("请填写投诉内容（至少5个字）。"),
    "name_required": _("请填写投诉人姓名。"),
    "contact_required": _("请留下投诉人的手机号码或身份证号码，以便答复。"),
    "unknown_case": _("办件编号“%(case_no)s”不存在。"),
    "unknown_staff": _("工作人员不存在。"),
    "unknown_org_unit": _("服务单位不存在。"),
    "invalid_complaint_channel": _("投诉渠道无效。"),
    "invalid_month": _("月份应为YYYY-MM格式，如2026-11。"),
}

# Several messages share one stable code: the code says what kind of refusal it is.
CODES = {"not_complainant": "not_applicant"}


def error(key: str, field: str | None = None, **params: Any) -> ValidationError:
    """The ValidationError for `key`; `field` attaches it to an input field of a form or API."""
    e = ValidationError(MESSAGES[key], code=CODES.get(key, key), params=params or None)
    return ValidationError({field: e}) if field else e


def require_notes(notes: str, what: str, *, field: str = "notes") -> str:
    notes = (notes or "").strip()
    if len(notes) < 2:
        raise error("notes_required", field, what=what)
    return notes


# --- who acts -------------------------------------------------------------------------------

# Who works a rectification task or a complaint: the centre's window clerks and managers, the
# department's reviewers, supervisors. Agents and grid workers pass matters on, not handle them.
HANDLER_ROLES = frozenset({Role.WINDOW_CLERK, Role.DEPT_REVIEWER, Role.SUPERVISOR, Role.ADMIN})


def staff_of(actor: Actor) -> Staff | None:
    if actor.user_id is None:
        return None
    known = actor.extra.get("staff") if actor.extra else None
    if known is not None and known.user_id == actor.user_id:
        return known
    return (
        Staff.objects.select_related("org_unit__division", "department")
        .filter(user_id=actor.user_id)
        .first()
    )


def require_handler(actor: Actor) -> Staff:
    staff = staff_of(actor)
    if staff is None:
        raise PermissionDenied(_("需要工作人员账号办理。"))
    if staff.role not in HANDLER_ROLES:
        raise PermissionDenied(
            _("您的岗位（%(role)s）不能办理差评整改和投诉。") % {"role": staff.get_role_display()}
        )
    return staff


# --- deadlines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    verify_due: dt.date
    due_date: dt.date
    provisional: bool


def deadlines(start: dt.date, *, verify_days: int, answer_days: int) -> Deadlines:
    """Verification and answer deadlines, in working days after `start` (a round's first day,
    which does not count). Across a year the calendar does not cover yet, the dates are
    guessed Monday–Friday and marked provisional, as case due dates are."""
    verify = add_workdays_provisional(start, verify_days)
    due = add_workdays_provisional(start, answer_days)
    return Deadlines(verify.value, due.value, verify.provisional or due.provisional)
