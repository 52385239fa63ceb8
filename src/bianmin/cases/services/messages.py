"""The texts sent to applicants at each step (办理进度实时推送).

Plain Chinese strings, deliberately not gettext: the message goes to the resident by SMS and
must not follow the *clerk's* interface language. A resident language preference would come
from the portal account and select a template here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bianmin.cases.models import BundleApplication, Case, Decision, DeliveryMethod, PauseKind

SIGN = "【便民服务】"


def day(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _subject(case: Case) -> str:
    return f"您申请的{case.item.name}（编号{case.case_no}）"


def _due(case: Case) -> str:
    text = f"承诺{day(case.due_date)}前办结"
    if case.due_provisional:
        text += "（该日期跨越尚未公布的节假日安排，以最终安排为准）"
    return text


def _names(names: Iterable[str]) -> str:
    return "、".join(names)


def submitted(case: Case) -> str:
    return (
        f"{SIGN}您网上申报的{case.item.name}已提交，申报编号{case.case_no}。"
        "窗口工作人员预审后将告知结果。"
    )


def accepted(case: Case, *, pledged: list[str] | None = None, pledge_due=None) -> str:
    text = f"{SIGN}您申请的{case.item.name}已受理，受理编号{case.case_no}，{_due(case)}。"
    if pledged:
        text += f"请按承诺于{day(pledge_due)}前补交：{_names(pledged)}。"
    return text


def bundle_accepted(application: BundleApplication, cases: list[Case]) -> str:
    parts = "；".join(f"{c.item.name}（{c.case_no}，{day(c.due_date)}前办结）" for c in cases)
    return (
        f"{SIGN}您申请的{application.bundle.name}已受理，联办编号{application.bundle_no}，"
        f"共{len(cases)}个事项：{parts}。"
    )


def bundle_returned(application: BundleApplication, names: list[str]) -> str:
    return (
        f"{SIGN}您申请的{application.bundle.name}（联办编号{application.bundle_no}）"
        f"需补正以下材料：{_names(names)}。请一次性补齐后提交，补正期间不计入办理时限。"
    )


def bundle_not_accepted(application: BundleApplication, reason: str) -> str:
    return (
        f"{SIGN}您申请的{application.bundle.name}（联办编号{application.bundle_no}）"
        f"不予受理，原因：{reason}。"
    )


def bundle_resubmitted(application: BundleApplication) -> str:
    return (
        f"{SIGN}已收到{application.bundle.name}（联办编号{application.bundle_no}）的补正材料，"
        "窗口工作人员预审后将告知结果。"
    )


def bundle_finished(application: BundleApplication, cases: list[Case]) -> str:
    """Every item of a bundle decided (or ended): one result for the whole application."""
    parts = []
    for c in cases:
        if c.decision == Decision.APPROVED:
            parts.append(f"{c.item.name}准予")
        elif c.decision == Decision.DENIED:
            parts.append(f"{c.item.name}不予批准（{c.decision_reasons}）")
        else:
            parts.append(f"{c.item.name}已终止")
    text = (
        f"{SIGN}您申请的{application.bundle.name}（联办编号{application.bundle_no}）"
        f"已全部办理完毕：{'；'.join(parts)}。"
    )
    if any(c.decision == Decision.DENIED for c in cases):
        text += "对不予批准的事项如有异议，可依法申请行政复议或者提起行政诉讼。"
    return text


def returned(case: Case, names: list[str]) -> str:
    return (
        f"{SIGN}{_subject(case)}需补正以下材料：{_names(names)}。"
        "请一次性补齐后提交，补正期间不计入办理时限。"
    )


def not_accepted(case: Case, reason: str) -> str:
    return f"{SIGN}{_subject(case)}不予受理，原因：{reason}。"


def resubmitted(case: Case) -> str:
    if case.due_date:
        return f"{SIGN}已收到{_subject(case)}的补正材料，继续办理，{_due(case)}。"
    return f"{SIGN}已收到{_subject(case)}的补正材料，窗口工作人员预审后将告知结果。"


def review_done(case: Case, department: str, approved: bool) -> str:
    if approved:
        return f"{SIGN}{_subject(case)}已通过{department}审查。"
    return f"{SIGN}{_subject(case)}未通过{department}审查，将依法作出决定并告知理由。"


def decided(case: Case) -> str:
    if case.decision == Decision.APPROVED:
        return f"{SIGN}{_subject(case)}已审批通过，准予办理。请按约定方式领取办理结果。"
    return (
        f"{SIGN}{_subject(case)}经审查不予批准，理由：{case.decision_reasons}。"
        "如有异议，可依法申请行政复议或者提起行政诉讼。"
    )


def suspended(case: Case, kind: str) -> str:
    return (
        f"{SIGN}{_subject(case)}进入{PauseKind(kind).label}程序，"
        "所需时间不计入办理时限，结束后将通知您。"
    )


def resumed(case: Case, kind: str) -> str:
    return f"{SIGN}{_subject(case)}{PauseKind(kind).label}程序已结束，恢复计时，{_due(case)}。"


def extended(case: Case, workdays: int) -> str:
    return f"{SIGN}{_subject(case)}经批准延期{workdays}个工作日，{_due(case)}。"


def due_corrected(case: Case) -> str:
    return f"{SIGN}因法定节假日安排公布，{_subject(case)}的承诺办结日期调整为{day(case.due_date)}。"


def pledge_fulfilled(case: Case) -> str:
    return f"{SIGN}已收到{_subject(case)}的容缺补交材料，承诺事项已履行。"


def delivered(case: Case) -> str:
    how = {
        DeliveryMethod.WINDOW: "在窗口领取",
        DeliveryMethod.POST: "邮寄送出",
        DeliveryMethod.ELECTRONIC: "以电子方式送达（可在电子证照库查看）",
    }[DeliveryMethod(case.delivery_method)]
    return f"{SIGN}{_subject(case)}的办理结果已{how}。"


def closed(case: Case) -> str:
    return f"{SIGN}{_subject(case)}已办结。欢迎对本次服务作出评价。"


def terminated(case: Case, reason: str) -> str:
    return f"{SIGN}{_subject(case)}已终止办理，原因：{reason}。"
