"""我的办件 (progress, materials, 好差评, the answer to a bad review), messages, complaints and
the resident's own access log. Every object comes through `portal.access`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.cases.models import OPEN_STATES, Case, CaseStatus
from bianmin.cases.queries import material_status
from bianmin.evaluation.models import Rating, Stage
from bianmin.evaluation.services import (
    complaint_feedback,
    rate_case,
    submit_complaint,
    task_feedback,
)
from bianmin.evaluation.services.ratings import RATEABLE
from bianmin.evaluation.services.rectification import is_applicant
from bianmin.notifications.queries import inbox_for
from bianmin.notifications.services import mark_read
from bianmin.portal.access import (
    own_case,
    own_cases,
    own_complaint,
    own_complaints,
    own_task,
    resident_required,
)
from bianmin.portal.forms import ComplaintForm, FeedbackForm, RatingForm
from bianmin.portal.models import Upload
from bianmin.portal.progress import history, status_text, supplement_request, timeline
from bianmin.portal.queries import access_log, describe, messages_for
from bianmin.portal.views_common import page, put_errors

# List tabs: name → statuses.
TABS = {
    "open": sorted(OPEN_STATES - {CaseStatus.RETURNED}),
    "returned": [CaseStatus.RETURNED],
    "done": [CaseStatus.CLOSED, CaseStatus.NOT_ACCEPTED, CaseStatus.TERMINATED],
}


def _paginate(request: HttpRequest, items, per_page: int = 15):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@resident_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "")
    cases = own_cases(request)
    if tab in TABS:
        cases = cases.filter(status__in=TABS[tab])
    else:
        tab = ""
    page_obj = _paginate(request, cases)
    for case in page_obj:
        case.status_words, case.status_tone = status_text(case)
    return page(request, "portal/cases.html", {"page": page_obj, "tab": tab})


def _detail(
    request: HttpRequest,
    case: Case,
    *,
    rating_form: RatingForm | None = None,
    feedback_form: FeedbackForm | None = None,
    status: int = 200,
) -> HttpResponse:
    events = list(case.events.order_by("at", "id"))
    rating = Rating.unscoped.filter(case=case).first()
    task = own_task(request, case) if rating is not None and rating.is_bad else None
    can_rate = (
        rating is None
        and case.status in RATEABLE
        and is_applicant(case, request.actor, request.person)
    )
    words, tone = status_text(case)
    context = {
        "case": case,
        "status_words": words,
        "status_tone": tone,
        "stages": timeline(case, events),
        "history": history(case, events),
        "needed": supplement_request(case, events),
        "materials": material_status(case),
        "uploads": list(Upload.objects.filter(case=case).order_by("uploaded_at", "id")),
        "inbox": messages_for(request.user, request.person, case_no=case.case_no, limit=30),
        "rating": rating,
        "task": task,
        # A form sent back with its errors is shown even where it no longer applies (rated
        # meanwhile, not closed yet): the error says why.
        "rating_form": rating_form or (RatingForm() if can_rate else None),
        "feedback_form": feedback_form
        or (FeedbackForm() if task is not None and task.status == Stage.FEEDBACK else None),
    }
    return page(request, "portal/case.html", context, status=status)


@resident_required
@require_GET
def case_detail(request: HttpRequest, case_no: str) -> HttpResponse:
    case = own_case(request, case_no)
    response = _detail(request, case)
    # The case's messages were on the page just shown: they are read now.
    unread = inbox_for(user=request.user).filter(
        related_type="case", related_id=case.case_no, read_at__isnull=True
    )
    for item_id in unread.values_list("pk", flat=True)[:50]:
        mark_read(user=request.user, item_id=item_id)
    return response


@resident_required
@require_POST
def rate(request: HttpRequest, case_no: str) -> HttpResponse:
    case = own_case(request, case_no)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            rate_case(
                actor=request.actor,
                case=case,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                channel="portal",
                person=request.person,
            )
        except ValidationError as e:
            put_errors(form, e)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("portal:case", case_no=case.case_no)
    return _detail(request, case, rating_form=form, status=400)


@resident_required
@require_POST
def rectification_feedback(request: HttpRequest, case_no: str) -> HttpResponse:
    case = own_case(request, case_no)
    rating = Rating.unscoped.filter(case=case).first()
    task = own_task(request, case) if rating is not None else None
    form = FeedbackForm(request.POST)
    if task is not None and form.is_valid():
        try:
            task_feedback(
                actor=request.actor,
                task=task,
                satisfied=form.cleaned_data["satisfied"],
                notes=form.cleaned_data["notes"],
                person=request.person,
            )
        except ValidationError as e:
            put_errors(form, e)
        else:
            messages.success(request, _("已收到您对整改答复的意见。"))
            return redirect("portal:case", case_no=case.case_no)
    return _detail(request, case, feedback_form=form, status=400)


# --- messages -------------------------------------------------------------------------------


@resident_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page_obj = _paginate(request, messages_for(request.user, request.person), per_page=20)
    return page(request, "portal/inbox.html", {"page": page_obj})


@resident_required
@require_POST
def read_message(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        item = mark_read(user=request.user, item_id=item_id)
    except ValidationError:
        return redirect("portal:inbox")
    if item.related_type == "case" and own_cases(request).filter(case_no=item.related_id).exists():
        return redirect("portal:case", case_no=item.related_id)
    return redirect("portal:inbox")


@resident_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    unread = inbox_for(user=request.user).filter(read_at__isnull=True)
    for item_id in unread.values_list("pk", flat=True)[:200]:
        mark_read(user=request.user, item_id=item_id)
    return redirect("portal:inbox")


# --- complaints -----------------------------------------------------------------------------


@resident_required
@require_http_methods(["GET", "POST"])
def complaints(request: HttpRequest) -> HttpResponse:
    choices = [(c.case_no, f"{c.case_no} {c.item.name}") for c in own_cases(request)[:100]]
    form = ComplaintForm(
        request.POST or None, cases=choices, initial={"case_no": request.GET.get("case", "")}
    )
    if request.method == "POST" and form.is_valid():
        case_no = form.cleaned_data["case_no"]
        try:
            submitted = submit_complaint(
                actor=request.actor,
                channel="portal",
                complainant_name=request.person.name,
                content=form.cleaned_data["content"],
                subject_kind="case" if case_no else "general",
                case_no=case_no,
                person=request.person,
            )
        except ValidationError as e:
            put_errors(form, e)
        else:
            complaint = submitted.complaint
            text = (
                _("投诉已受理，编号%(no)s。我们会在规定时限内核实并答复您。")
                if submitted.created
                else _("您刚才已提交过相同的投诉（编号%(no)s），无需重复提交。")
            )
            messages.success(request, text % {"no": complaint.complaint_no})
            return redirect("portal:complaint", complaint_no=complaint.complaint_no)
    context = {"form": form, "page": _paginate(request, own_complaints(request))}
    return page(request, "portal/complaints.html", context)


@resident_required
@require_http_methods(["GET", "POST"])
def complaint_detail(request: HttpRequest, complaint_no: str) -> HttpResponse:
    complaint = own_complaint(request, complaint_no)
    form = None
    if complaint.status == Stage.FEEDBACK:
        form = FeedbackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                complaint_feedback(
                    actor=request.actor,
                    complaint=complaint,
                    satisfied=form.cleaned_data["satisfied"],
                    notes=form.cleaned_data["notes"],
                    person=request.person,
                )
            except ValidationError as e:
                put_errors(form, e)
            else:
                messages.success(request, _("已收到您对答复的意见。"))
                return redirect("portal:complaint", complaint_no=complaint.complaint_no)
    return page(request, "portal/complaint.html", {"complaint": complaint, "form": form})


# --- 谁查看了我的信息 -------------------------------------------------------------------------


@resident_required
@require_GET
def access_history(request: HttpRequest) -> HttpResponse:
    case_nos = list(own_cases(request).values_list("case_no", flat=True))
    page_obj = _paginate(request, access_log(request.person, case_nos=case_nos), per_page=30)
    rows = describe(list(page_obj.object_list), own_user_id=request.user.pk)
    return page(request, "portal/access_log.html", {"page": page_obj, "rows": rows})


@resident_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    return page(request, "portal/me.html", {"account": request.resident})
