"""Texts sent to applicants and complainants. Plain Chinese, deliberately not gettext: an SMS
goes to the resident and must not follow the clerk's interface language (as in
`cases/services/messages.py`)."""

from __future__ import annotations

import datetime as dt

from bianmin.cases.services.messages import SIGN, day
from bianmin.evaluation.models import Complaint, RectificationTask


def _limit(due: dt.date, provisional: bool) -> str:
    text = f"{day(due)}前"
    if provisional:
        text += "（该日期跨越尚未公布的节假日安排，以最终安排为准）"
    return text


def bad_rating_received(task: RectificationTask) -> str:
    case = task.case
    return (
        f"{SIGN}您对{case.item.name}（编号{case.case_no}）的评价已收到。我们将核实情况、"
        f"认真整改，并于{_limit(task.due_date, task.due_provisional)}答复您。"
    )


def rectification_answered(task: RectificationTask) -> str:
    case = task.case
    return (
        f"{SIGN}关于您对{case.item.name}（编号{case.case_no}）的评价，处理情况如下：{task.answer}。"
        "如对处理结果不满意，可通过门户或服务窗口反馈，我们将再次核实。"
    )


def rectification_resolved(task: RectificationTask, notes: str) -> str:
    case = task.case
    return (
        f"{SIGN}关于您对{case.item.name}（编号{case.case_no}）的评价，经市政务服务监督部门"
        f"督办，处理意见如下：{notes}。"
    )


def complaint_received(complaint: Complaint) -> str:
    return (
        f"{SIGN}您的投诉已受理，投诉编号{complaint.complaint_no}。我们将核实处理，并于"
        f"{_limit(complaint.due_date, complaint.due_provisional)}答复您。"
    )


def complaint_answered(complaint: Complaint) -> str:
    return (
        f"{SIGN}您的投诉（编号{complaint.complaint_no}）已办理：{complaint.answer}。"
        "如对处理结果不满意，可凭投诉编号反馈，我们将再次核实。"
    )


def complaint_resolved(complaint: Complaint, notes: str) -> str:
    return (
        f"{SIGN}您的投诉（编号{complaint.complaint_no}）经市政务服务监督部门督办，"
        f"处理意见如下：{notes}。"
    )


def due_corrected(obj: RectificationTask | Complaint) -> str:
    if isinstance(obj, Complaint):
        subject = f"您的投诉（编号{obj.complaint_no}）"
    else:
        subject = f"您对{obj.case.item.name}（编号{obj.case.case_no}）的评价"
    return (
        f"{SIGN}{subject}的答复期限已按公布的节假日安排校正为"
        f"{_limit(obj.due_date, obj.due_provisional)}。"
    )


def escalated(number: str, what: str) -> str:
    return f"{what}{number}经两轮整改，申请人仍不满意，已提级至市级督办，请在督办页面处理。"
