"""A case as the applicant sees it: the status in plain words, the five stages (受理 → 审查 →
决定 → 送达 → 办结), the history without internal steps, and what a 补正 asks for.

Names of staff are never shown to the applicant: events say which office acted (the unit or
the department), as the national 办件进度查询 does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case, CaseEvent, CaseStatus, Decision, EventAction
from bianmin.registry.models import Department, OrgUnit

# status → (plain words, tone for the badge)
STATUS_TEXT = {
    CaseStatus.SUBMITTED: (_("已提交，等待窗口预审"), "info"),
    CaseStatus.RETURNED: (_("需要补正材料"), "warn"),
    CaseStatus.NOT_ACCEPTED: (_("不予受理"), "bad"),
    CaseStatus.ACCEPTED: (_("已受理，正在办理"), "info"),
    CaseStatus.IN_REVIEW: (_("部门审查中"), "info"),
    CaseStatus.DECIDED: (_("已作出决定，等待送达"), "info"),
    CaseStatus.DELIVERED: (_("结果已送达"), "ok"),
    CaseStatus.CLOSED: (_("已办结"), "ok"),
    CaseStatus.TERMINATED: (_("已终止"), "muted"),
}

# Internal work the applicant is not told about step by step.
HIDDEN_EVENTS = frozenset(
    {
        EventAction.REVIEW_ASSIGNED,
        EventAction.WARNING,
        EventAction.EXTENSION_REQUESTED,
        EventAction.EXTENSION_REFUSED,
    }
)
# Events whose reason is for the applicant's eyes (what to bring, why refused …).
REASON_SHOWN = frozenset(
    {
        EventAction.RETURNED,
        EventAction.REVIEW_RETURNED,
        EventAction.NOT_ACCEPTED,
        EventAction.REVIEW_REJECTED,
        EventAction.DECIDED,
        EventAction.TERMINATED,
        EventAction.SUSPENDED,
        EventAction.EXTENDED,
    }
)


def status_text(case: Case) -> tuple[str, str]:
    words, tone = STATUS_TEXT[CaseStatus(case.status)]
    if case.status == CaseStatus.DECIDED and case.decision == Decision.DENIED:
        return str(_("已作出不予批准的决定")), "bad"
    return str(words), tone


@dataclass
class Stage:
    key: str
    label: str
    state: str = "todo"  # done, current, todo, skipped, stopped
    at: dt.datetime | None = None
    note: str = ""


def timeline(case: Case, events: list[CaseEvent]) -> list[Stage]:
    """The five stages with where the case stands; an online application has 申报 first."""
    status = case.status
    last = {}
    for e in events:
        last[e.action] = e.at
    accepted = case.accepted_at is not None
    stages = []
    if case.channel == "online":
        stages.append(Stage("submitted", str(_("申报")), "done", case.submitted_at))
    accept = Stage("accept", str(_("受理")), at=case.accepted_at)
    review = Stage("review", str(_("审查")))
    decide = Stage("decide", str(_("决定")), at=case.decided_at)
    deliver = Stage("deliver", str(_("送达")), at=case.delivered_at)
    close = Stage("close", str(_("办结")), at=case.closed_at)
    stages += [accept, review, decide, deliver, close]

    if accepted:
        accept.state = "done"
    elif status == CaseStatus.NOT_ACCEPTED:
        accept.state, accept.note, accept.at = "stopped", str(_("不予受理")), case.closed_at
    elif status == CaseStatus.RETURNED:
        accept.state, accept.note = "current", str(_("待补正"))
    else:
        accept.state = "current"

    reviewed = status in (CaseStatus.DECIDED, CaseStatus.DELIVERED, CaseStatus.CLOSED)
    review_events = [
        e.at
        for e in events
        if e.action in (EventAction.REVIEW_APPROVED, EventAction.REVIEW_REJECTED)
    ]
    if reviewed:
        review.state = "done"
        review.at = max(review_events) if review_events else case.decided_at
        if not review_events:
            review.note = str(_("无需部门审查"))
    elif accepted and status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.RETURNED):
        review.state = "current"
        if status == CaseStatus.RETURNED:
            review.note = str(_("待补正"))

    if case.decided_at:
        decide.state = "done"
        decide.note = case.get_decision_display()
    if status == CaseStatus.DECIDED:
        deliver.state = "current"
    if case.delivered_at:
        deliver.state = "done"
        deliver.note = case.get_delivery_method_display()
    elif status == CaseStatus.CLOSED:
        deliver.state, deliver.note = "skipped", str(_("无需送达"))
    if status == CaseStatus.CLOSED:
        close.state = "done"
    elif status == CaseStatus.DELIVERED:
        close.state = "current"
    if status == CaseStatus.TERMINATED:
        for stage in stages:
            if stage.state in ("current", "todo"):
                stage.state = "stopped"
        close.note = str(_("已终止"))
    return stages


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    label: str
    office: str
    reason: str = ""
    detail: str = ""


def history(case: Case, events: list[CaseEvent]) -> list[Step]:
    """What happened, newest first, with the office that acted instead of a person's name."""
    shown = [e for e in events if e.action not in HIDDEN_EVENTS]
    units = dict(
        OrgUnit.objects.filter(
            code__in={e.org_unit_code for e in shown if e.org_unit_code}
        ).values_list("code", "name")
    )
    departments = dict(Department.objects.values_list("code", "name"))
    steps = []
    for e in shown:
        if e.actor_user_id is not None and e.actor_user_id == case.submitted_by_user_id:
            office = str(_("本人"))
        else:
            department = departments.get((e.data or {}).get("department", ""), "")
            office = units.get(e.org_unit_code) or department or str(_("系统"))
        label = EventAction(e.action).label
        if e.action == EventAction.DECIDED and case.decision:
            label = f"{label}：{case.get_decision_display()}"
        detail = ""
        if e.action in (EventAction.ACCEPTED, EventAction.EXTENDED, EventAction.DUE_CORRECTED):
            due = (e.data or {}).get("due_date") or (e.data or {}).get("due_after")
            detail = str(_("承诺办结日期：%(d)s") % {"d": due}) if due else ""
        reason = e.reason if e.action in REASON_SHOWN else ""
        steps.append(Step(e.at, str(label), office, reason, detail))
    return list(reversed(steps))


@dataclass(frozen=True)
class Needed:
    code: str  # empty when the notice named something the item does not list
    name: str
    reason: str = ""


@dataclass
class SupplementRequest:
    """What the last 补正告知 asks for: materials (with codes when known) and the reason."""

    at: dt.datetime
    office: str
    reason: str
    materials: list[Needed] = field(default_factory=list)


def supplement_request(case: Case, events: list[CaseEvent]) -> SupplementRequest | None:
    if case.status != CaseStatus.RETURNED:
        return None
    returns = [e for e in events if e.action in (EventAction.RETURNED, EventAction.REVIEW_RETURNED)]
    if not returns:
        return None
    event = returns[-1]
    data = event.data or {}
    by_name = {m.name: m.code for m in case.item.materials.all() if not m.shared_source}
    if event.action == EventAction.RETURNED:
        notice = data.get("notice") or {}
        needed = [
            Needed(m.get("code", ""), m.get("name", ""), m.get("reason", ""))
            for m in notice.get("missing", [])
        ]
    else:
        needed = [Needed(by_name.get(n, ""), n) for n in data.get("missing", []) if n]
        # A review that gave only its opinion lists that opinion as the "material".
        needed = [n for n in needed if n.code or n.name != event.reason]
    unit = OrgUnit.objects.filter(code=event.org_unit_code).values_list("name", flat=True).first()
    return SupplementRequest(event.at, unit or "", event.reason, needed)
