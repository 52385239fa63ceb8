"""The case page: the case file (materials and where each came from, reviews, clock, history)
and the actions its state and the user's post allow. The actions shown are a convenience;
the service called decides, and its refusal is shown on this page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases import queries as case_queries
from bianmin.cases.models import (
    CLOCK_STATES,
    SPECIAL_PROCEDURES,
    Case,
    CaseStatus,
    ExtensionStatus,
    ReviewStatus,
)
from bianmin.cases.services.common import access_case
from bianmin.cases.services.deadlines import remaining_workdays
from bianmin.cases.services.handling import can_act_on
from bianmin.counter import forms as f
from bianmin.counter.common import actor_of, staff_of
from bianmin.portal.services.uploads import uploads_of
from bianmin.registry.models import Role, Staff

CLERKS = frozenset({Role.WINDOW_CLERK, Role.VILLAGE_AGENT, Role.ADMIN})
HANDLERS = frozenset({Role.DEPT_REVIEWER, Role.SUPERVISOR, Role.ADMIN})

# Materials the applicant still has to bring, as `material_status` marks them.
OUTSTANDING = frozenset({"missing", "wrong_form", "pledged"})


@dataclass
class Actions:
    """Which action panels the page shows, with their (possibly bound) forms."""

    shown: dict[str, forms.Form] = field(default_factory=dict)
    reviews: list[Any] = field(default_factory=list)  # (review, form) the user may act on

    def __contains__(self, name: str) -> bool:
        return name in self.shown

    def __getitem__(self, name: str) -> forms.Form:
        return self.shown[name]

    @property
    def any(self) -> bool:
        return bool(self.shown or self.reviews)


def _pending_reviews(case: Case) -> bool:
    return any(
        r.status in (ReviewStatus.OPEN, ReviewStatus.WAITING, ReviewStatus.RETURNED)
        for r in case.reviews_list
    )


def _special_running(case: Case) -> bool:
    return any(p.ended_on is None and p.kind in SPECIAL_PROCEDURES for p in case.pauses_list)


def actions_for(
    case: Case, staff: Staff | None, role: str, today: dt.date, bound: dict[str, forms.Form]
) -> Actions:
    """The actions that make sense now. `bound` holds a form the user just sent, with its
    errors, in place of the empty one."""
    result = Actions()

    def offer(name: str, form_class) -> None:
        extra = {"case": case} if getattr(form_class, "needs_case", False) else {}
        result.shown[name] = bound.get(name) or form_class(**extra)

    status, paused = case.status, case.paused_since is not None
    clerk, handler = role in CLERKS, role in HANDLERS
    if status == CaseStatus.SUBMITTED and (clerk or role == Role.DEPT_REVIEWER):
        offer("accept", f.PledgeAcceptForm)
        offer("supplement", f.OptionalReasonForm)
        offer("refuse", f.ReasonForm)
    if status == CaseStatus.RETURNED:
        offer("resubmit", forms.Form)
        if case.accepted_at is None and clerk:
            offer("refuse", f.ReasonForm)
    if status == CaseStatus.IN_REVIEW and not paused and staff is not None:
        for review in case.reviews_list:
            if review.status == ReviewStatus.OPEN and can_act_on(staff, review, today):
                form = bound.get(f"review-{review.pk}") or f.ReviewForm(
                    initial={"review": review.pk}
                )
                standing_in = review.assignee_id not in (None, staff.pk)
                result.reviews.append((review, form, standing_in))
    open_clock = status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)
    if open_clock and handler:
        if not paused and not _pending_reviews(case) and not case.decision:
            offer("decide", f.DecideForm)
        if not paused:
            offer("suspend", f.SuspendForm)
        elif _special_running(case):
            offer("resume", f.ResumeForm)
    pending_extension = any(e.status == ExtensionStatus.PENDING for e in case.extensions_list)
    if handler and status in CLOCK_STATES - {CaseStatus.DELIVERED} and not pending_extension:
        offer("extend", f.ExtensionForm)
    if status == CaseStatus.DECIDED:
        offer("deliver", f.DeliverForm)
    if status in (CaseStatus.DECIDED, CaseStatus.DELIVERED):
        offer("close", forms.Form)
    if case.pledge_data and case.pledge_data["fulfilled_at"] is None and case.is_open:
        offer("fulfil", forms.Form)
    if case.is_open:
        offer("visit", f.VisitForm)
        offer("terminate", f.ReasonForm)
    return result


def load_case(request: HttpRequest, case_no: str) -> Case:
    """The case file for display: an audited, scoped read (403 outside the scope)."""
    try:
        case = access_case(actor=actor_of(request), case_no=case_no)
    except Case.DoesNotExist:
        raise Http404 from None
    return case_queries.case_file(case, on=timezone.localdate())


def case_page(
    request: HttpRequest,
    case_no: str,
    *,
    error: str = "",
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    case = load_case(request, case_no)
    staff = staff_of(request)
    role = staff.role if staff else (Role.ADMIN if request.user.is_superuser else "")
    today = timezone.localdate()
    outstanding = [m for m in case.materials_list if m["source"] in OUTSTANDING]
    pledged = {m["code"] for m in (case.pledge_data or {}).get("materials", [])}
    running = case.due_date is not None and case.status in CLOCK_STATES
    context = {
        "case": case,
        "remaining": remaining_workdays(case, today) if running else None,
        "actions": actions_for(case, staff, role, today, bound or {}),
        "error": error,
        "outstanding": outstanding,
        "pledged_outstanding": [m for m in outstanding if m["code"] in pledged],
        "visits_over": case.visit_count > case.item.max_visits,
        "today": today,
        "notices": notices_of(case),
        # Files a resident uploaded online (application and 补正); each opens through the
        # portal's scope-checked, audited download.
        "uploads": uploads_of(case) if case.channel == "online" else [],
    }
    return render(request, "counter/case_detail.html", context, status=status)


def notices_of(case: Case) -> list[tuple[str, str]]:
    """The printable notices this case has: (kind, label)."""
    actions = {e.action for e in case.history_list}
    found = []
    if case.accepted_at is not None:
        found.append(("acceptance", _("受理通知书")))
    if actions & {"returned", "review_returned"}:
        found.append(("supplement", _("一次性告知书")))
    if "not_accepted" in actions:
        found.append(("refusal", _("不予受理通知书")))
    if case.pledge_data:
        found.append(("pledge", _("容缺受理承诺书")))
    return found
