"""Every write of the evaluation app, by concern:

- `ratings`        好差评: `rate_case` (window device, portal, SMS, agent on behalf)
- `rectification`  差评整改 tasks (opened by a bad rating)
- `complaints`     投诉 intake with dedupe, and its loop
- `loop`           the one stage machine both run through (核实 → 整改/处理 → 答复 → 回访 → 办结)
- `common`         settings and their defaults, errors, deadlines
- `corrections`    provisional deadlines recomputed once their year's calendar is published
"""

from bianmin.evaluation.services.common import DEFAULTS, error, setting
from bianmin.evaluation.services.complaints import (
    Submitted,
    access_complaint,
    answer_complaint,
    complaint_feedback,
    handle_complaint,
    resolve_complaint,
    submit_complaint,
    verify_complaint,
)
from bianmin.evaluation.services.corrections import correct_provisional_deadlines
from bianmin.evaluation.services.ratings import StaffScore, WindowStaff, rate_case, window_staff
from bianmin.evaluation.services.rectification import (
    access_task,
    answer_task,
    rectify_task,
    resolve_task,
    task_feedback,
    verify_task,
)

__all__ = [
    "DEFAULTS",
    "StaffScore",
    "Submitted",
    "WindowStaff",
    "access_complaint",
    "access_task",
    "answer_complaint",
    "answer_task",
    "complaint_feedback",
    "correct_provisional_deadlines",
    "error",
    "handle_complaint",
    "rate_case",
    "rectify_task",
    "resolve_complaint",
    "resolve_task",
    "setting",
    "submit_complaint",
    "task_feedback",
    "verify_complaint",
    "verify_task",
    "window_staff",
]
