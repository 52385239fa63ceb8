"""我的待办 and the actions on a case. Department reviewers see the reviews waiting for their
department in their area — including the work of absent colleagues they back up (AB岗) —
and the cases waiting for their department's decision; window clerks see the applications
waiting for them. Every action is one `bianmin.cases` service call; a refusal is shown on the
case page and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bianmin.cases import queries as case_queries
from bianmin.cases.models import Case, Review
from bianmin.cases.services import acceptance, bundle_acts, deadlines, handling, visits
from bianmin.cases.services.merged import MergedCheck
from bianmin.cases.services.pledges import PledgeInput
from bianmin.cases.services.rules import channel_of
from bianmin.core.errors import OutOfScope
from bianmin.counter import forms as f
from bianmin.counter import queries
from bianmin.counter.casefile import OUTSTANDING, case_page
from bianmin.counter.common import CASEWORK, actor_of, error_text, roles_required, staff_of
from bianmin.registry.models import Role
from bianmin.workbench.common import apply_errors

LIST_LIMIT = 50

# --- 我的待办 -------------------------------------------------------------------------------


@require_GET
@roles_required(CASEWORK)
def my_work(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request)
    today = timezone.localdate()
    context: dict = {"today": today, "staff": staff}
    if staff is not None and staff.role in (Role.DEPT_REVIEWER, Role.SUPERVISOR, Role.ADMIN):
        reviews = list(case_queries.my_reviews(staff, on=today)[:LIST_LIMIT])
        for review in reviews:
            review.standing_in = review.assignee_id not in (None, staff.pk)
        context.update(
            reviews=reviews,
            to_decide=list(queries.awaiting_my_decision(staff)[:LIST_LIMIT]),
            suspended=list(queries.suspended_cases().order_by("due_date", "id")[:LIST_LIMIT]),
        )
    if staff is None or staff.role in (Role.WINDOW_CLERK, Role.VILLAGE_AGENT, Role.ADMIN):
        context.update(
            to_precheck=list(case_queries.awaiting_precheck()[:LIST_LIMIT]),
            returned=list(queries.waiting_for_supplement()[:LIST_LIMIT]),
            pledges=list(queries.open_pledges()[:LIST_LIMIT]),
        )
    context["to_deliver"] = list(queries.to_deliver()[:LIST_LIMIT])
    return render(request, "counter/my_work.html", context)


# --- actions on a case ----------------------------------------------------------------------

# Refusals that mean "not in this state": the page answers 409 like the API.
CONFLICTS = frozenset(
    {
        "invalid_transition",
        "already_decided",
        "case_suspended",
        "clock_already_paused",
        "not_suspended",
        "reviews_pending",
        "review_rejected",
        "pledge_open",
        "extension_pending",
        "extension_decided",
        "no_open_pledge",
        "materials_missing",
        "nothing_to_supplement",
    }
)


@dataclass(frozen=True)
class Done:
    """An action succeeded: what to tell the user, and which notice to print if any."""

    message: str
    notice: str = ""
    bundle_no: str = ""  # the whole 联办 application was acted on: print its one notice


def _bundle_no(case: Case) -> str:
    """The case's bundle application while it moves as a whole (before acceptance)."""
    if case.bundle_application_id is None or case.accepted_at is not None:
        return ""
    return case.bundle_application.bundle_no


def _outstanding(case: Case) -> list[str]:
    cases = [case]
    if _bundle_no(case):
        cases = list(Case.objects.filter(bundle_application_id=case.bundle_application_id))
    codes = [
        m["code"]
        for c in cases
        for m in case_queries.material_status(c)
        if m["source"] in OUTSTANDING
    ]
    return list(dict.fromkeys(codes))


def _ticked(request: HttpRequest) -> list[str]:
    return [c for c in dict.fromkeys(request.POST.getlist("m")) if c]


def _accept(request, case, form):
    due = form.cleaned_data.get("pledge_due")
    pledge = PledgeInput(tuple(_outstanding(case)), due) if due else None
    if bundle_no := _bundle_no(case):
        bundle_acts.accept_bundle(actor=actor_of(request), application=bundle_no, pledge=pledge)
        return Done(_("联办申请已整体受理。"), bundle_no=bundle_no)
    acceptance.accept(actor=actor_of(request), case=case, pledge=pledge)
    return Done(_("已受理。"), "acceptance")


def _supplement(request, case, form):
    if bundle_no := _bundle_no(case):
        bundle_acts.return_bundle(
            actor=actor_of(request), application=bundle_no, reason=form.cleaned_data["reason"]
        )
        return Done(_("已对联办申请一次性告知补正，计时暂停。"), bundle_no=bundle_no)
    acceptance.return_for_supplement(
        actor=actor_of(request), case=case, reason=form.cleaned_data["reason"]
    )
    return Done(_("已一次性告知补正，计时暂停。"), "supplement")


def _refuse(request, case, form):
    if bundle_no := _bundle_no(case):
        bundle_acts.refuse_bundle(
            actor=actor_of(request), application=bundle_no, reason=form.cleaned_data["reason"]
        )
        return Done(_("联办申请已整体不予受理。"), bundle_no=bundle_no)
    acceptance.refuse_acceptance(
        actor=actor_of(request), case=case, reason=form.cleaned_data["reason"]
    )
    return Done(_("已不予受理。"), "refusal")


def _resubmit(request, case, form):
    staff = staff_of(request)
    channel = channel_of(staff) if staff else "window"
    if bundle_no := _bundle_no(case):
        checks = bundle_acts.resubmit_bundle(
            actor=actor_of(request),
            application=bundle_no,
            provided=_ticked(request),
            channel=channel,
        )
        still = MergedCheck(tuple(checks)).missing
        if still:
            names = "、".join(c.name for c in still)
            return Done(_("已接收联办申请的补正材料；仍缺少：%(names)s。") % {"names": names})
        return Done(_("已接收联办申请的补正材料，材料齐全。"))
    checked = acceptance.resubmit(
        actor=actor_of(request),
        case=case,
        provided=_ticked(request),
        channel=channel,
    )
    if checked.missing:
        names = "、".join(c.name for c in checked.missing)
        return Done(_("已接收补正材料；仍缺少：%(names)s。") % {"names": names})
    return Done(_("已接收补正材料，材料齐全。"))


def _fulfil(request, case, form):
    pledge = acceptance.fulfil_pledge(actor=actor_of(request), case=case, provided=_ticked(request))
    if pledge.fulfilled_at:
        return Done(_("容缺材料已补齐。"))
    return Done(_("已接收容缺材料，尚未补齐。"))


def _review(request, case, form):
    review = Review.objects.filter(pk=form.cleaned_data["review"], case=case).first()
    if review is None:
        raise Http404
    handling.act_on_review(
        actor=actor_of(request),
        review=review,
        decision=form.cleaned_data["decision"],
        opinion=form.cleaned_data["opinion"],
        missing=request.POST.getlist("missing"),
    )
    return Done(_("审查意见已提交。"))


def _decide(request, case, form):
    handling.decide(
        actor=actor_of(request),
        case=case,
        approve=form.cleaned_data["approve"],
        reasons=form.cleaned_data["reasons"],
        result=form.result(),
    )
    return Done(_("已作出决定。"))


def _suspend(request, case, form):
    data = form.cleaned_data
    deadlines.suspend(
        actor=actor_of(request),
        case=case,
        kind=data["kind"],
        reason=data["reason"],
        start=data.get("start"),
    )
    return Done(_("特别程序已开始，计时暂停。"))


def _resume(request, case, form):
    deadlines.resume(actor=actor_of(request), case=case, end=form.cleaned_data.get("end"))
    return Done(_("特别程序已结束，恢复计时。"))


def _extend(request, case, form):
    deadlines.request_extension(
        actor=actor_of(request),
        case=case,
        workdays=form.cleaned_data["workdays"],
        reason=form.cleaned_data["reason"],
    )
    return Done(_("延期申请已提交，待监察负责人审批。"))


def _deliver(request, case, form):
    handling.deliver(actor=actor_of(request), case=case, method=form.cleaned_data["method"])
    return Done(_("结果已送达。"))


def _close(request, case, form):
    handling.close(actor=actor_of(request), case=case)
    return Done(_("已办结。"))


def _terminate(request, case, form):
    handling.terminate(actor=actor_of(request), case=case, reason=form.cleaned_data["reason"])
    return Done(_("办件已终止。"))


def _visit(request, case, form):
    visits.record_visit(actor=actor_of(request), case=case, purpose=form.cleaned_data["purpose"])
    return Done(_("已登记到场。"))


ACTIONS: dict[str, tuple[type[forms.Form], Callable[..., Done]]] = {
    "accept": (f.PledgeAcceptForm, _accept),
    "supplement": (f.OptionalReasonForm, _supplement),
    "refuse": (f.ReasonForm, _refuse),
    "resubmit": (forms.Form, _resubmit),
    "fulfil": (forms.Form, _fulfil),
    "review": (f.ReviewForm, _review),
    "decide": (f.DecideForm, _decide),
    "suspend": (f.SuspendForm, _suspend),
    "resume": (f.ResumeForm, _resume),
    "extend": (f.ExtensionForm, _extend),
    "deliver": (f.DeliverForm, _deliver),
    "close": (forms.Form, _close),
    "terminate": (f.ReasonForm, _terminate),
    "visit": (f.VisitForm, _visit),
}


def _case(case_no: str) -> Case:
    case = Case.objects.filter(case_no=case_no).first()
    if case is None:
        if Case.unscoped.filter(case_no=case_no).exists():
            raise OutOfScope()
        raise Http404
    return case


@require_POST
@roles_required(CASEWORK)
def act(request: HttpRequest, case_no: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    form_class, run = ACTIONS[action]
    case = _case(case_no)
    form = form_class(
        request.POST, **({"case": case} if getattr(form_class, "needs_case", 0) else {})
    )
    key = action
    if action == "review":
        key = f"review-{request.POST.get('review', '')}"
    error, status = "", 400
    if form.is_valid():
        try:
            done = run(request, case, form)
        except ValidationError as e:
            apply_errors(form, e)
            error = error_text(e)
            status = 409 if getattr(e, "code", None) in CONFLICTS else 400
        except PermissionDenied as e:
            error, status = error_text(e), 403
        else:
            messages.success(request, done.message)
            if done.bundle_no:
                return redirect("counter:bundle-notice", bundle_no=done.bundle_no)
            if done.notice:
                return redirect("counter:notice", case_no=case_no, kind=done.notice)
            return redirect("counter:case", case_no=case_no)
    else:
        error = _("请检查填写的内容。")
    return case_page(request, case_no, error=error, bound={key: form}, status=status)
