"""Staff pages: the evaluation dashboard for a month, quarter or year (stars, Excel), the
rectification tasks and the complaints — lists, intake, and a detail page whose stage panel
acts through htmx. Each action is one service call; the task and complaint pages share one
set of views (`LoopPages`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.core.errors import message_of
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.evaluation import exports, queries
from bianmin.evaluation import forms as f
from bianmin.evaluation import services as svc
from bianmin.evaluation.models import Complaint, FollowUp, RectificationTask, Stage
from bianmin.evaluation.services.common import today
from bianmin.indicators.selector import period_choices, selected_period
from bianmin.workbench.common import (
    apply_errors,
    filters_of,
    list_page,
    paginate,
    query_without_page,
    staff_required,
)

# --- the monthly dashboard ------------------------------------------------------------------


def _stats(request: HttpRequest) -> tuple[queries.Stats, str]:
    """The figures of the period asked for (default this month); a bad period shows its error
    beside this month's figures."""
    # `month` is the parameter of the month-only page before (bookmarks keep working).
    asked = request.GET.get("period") or request.GET.get("month")
    period, error = selected_period(asked, today())
    return queries.stats(period=period, on=today(), scope=request.scope), error


@staff_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    stats, error = _stats(request)
    context = {
        "stats": stats,
        "error": error,
        "open": queries.open_counts(on=today()),
        "period": stats.period,
        "period_choices": period_choices(stats.period, today()),
        "tables": exports.TABLES,
    }
    return render(request, "evaluation/dashboard.html", context)


@staff_required
@require_GET
def stats_export(request: HttpRequest, table: str) -> HttpResponse:
    if table not in exports.TABLES:
        raise Http404
    stats, error = _stats(request)
    if error:
        messages.error(request, error)
        return redirect("evaluation:dashboard")
    title = exports.TABLES[table][0]
    response, _count = xlsx_response(
        export_filename(f"好差评统计_{stats.month}_{title}"),
        lambda target: exports.export_stats(
            actor=request.actor, stats=stats, table=table, target=target
        ),
    )
    return response


# --- tasks and complaints: one set of views -------------------------------------------------


Act = Callable[..., FollowUp]


@dataclass(frozen=True)
class LoopPages:
    name: str  # URL name prefix
    model: type[FollowUp]
    access: Callable[[HttpRequest, int], FollowUp]
    list_rows: Callable[[dict], object]
    filter_form: Callable[[object], forms.Form]
    export: Callable[..., int]
    export_name: str
    title: str
    # stage → (action, button label, form class, service call(actor, obj, cleaned_data))
    actions: dict[str, tuple[str, str, type[forms.Form], Act]]

    def action_for(self, obj: FollowUp):
        return self.actions.get(obj.status)


def _access(getter):
    def access(request: HttpRequest, pk: int):
        try:
            return getter(actor=request.actor, pk=pk)
        except ObjectDoesNotExist:
            raise Http404 from None

    return access


TASKS = LoopPages(
    name="task",
    model=RectificationTask,
    access=_access(lambda actor, pk: svc.access_task(actor=actor, task_id=pk)),
    list_rows=lambda kw: queries.task_list(on=today(), **kw),
    filter_form=f.task_filter,
    export=lambda **kw: exports.export_tasks(tasks=kw.pop("rows"), **kw),
    export_name="差评整改任务",
    title=str(_("差评整改")),
    actions={
        Stage.VERIFY: (
            "verify",
            _("核实"),
            f.VerifyForm,
            lambda a, o, d: svc.verify_task(actor=a, task=o, **d),
        ),
        Stage.ACT: (
            "act",
            _("整改"),
            f.RectifyForm,
            lambda a, o, d: svc.rectify_task(actor=a, task=o, **d),
        ),
        Stage.ANSWER: (
            "answer",
            _("答复申请人"),
            f.AnswerForm,
            lambda a, o, d: svc.answer_task(actor=a, task=o, **d),
        ),
        Stage.FEEDBACK: (
            "feedback",
            _("记录回访结果"),
            f.FeedbackForm,
            lambda a, o, d: svc.task_feedback(actor=a, task=o, **d),
        ),
        Stage.ESCALATED: (
            "resolve",
            _("督办办结"),
            f.ResolveForm,
            lambda a, o, d: svc.resolve_task(actor=a, task=o, **d),
        ),
    },
)

COMPLAINTS = LoopPages(
    name="complaint",
    model=Complaint,
    access=_access(lambda actor, pk: svc.access_complaint(actor=actor, complaint_id=pk)),
    list_rows=lambda kw: queries.complaint_list(on=today(), **kw),
    filter_form=f.complaint_filter,
    export=lambda **kw: exports.export_complaints(complaints=kw.pop("rows"), **kw),
    export_name="投诉",
    title=str(_("投诉")),
    actions={
        Stage.VERIFY: (
            "verify",
            _("核实"),
            f.VerifyForm,
            lambda a, o, d: svc.verify_complaint(actor=a, complaint=o, **d),
        ),
        Stage.ACT: (
            "act",
            _("处理"),
            f.HandleForm,
            lambda a, o, d: svc.handle_complaint(actor=a, complaint=o, **d),
        ),
        Stage.ANSWER: (
            "answer",
            _("答复投诉人"),
            f.AnswerForm,
            lambda a, o, d: svc.answer_complaint(actor=a, complaint=o, **d),
        ),
        Stage.FEEDBACK: (
            "feedback",
            _("记录回访结果"),
            f.FeedbackForm,
            lambda a, o, d: svc.complaint_feedback(actor=a, complaint=o, **d),
        ),
        Stage.ESCALATED: (
            "resolve",
            _("督办办结"),
            f.ResolveForm,
            lambda a, o, d: svc.resolve_complaint(actor=a, complaint=o, **d),
        ),
    },
)

PAGES = {"tasks": TASKS, "complaints": COMPLAINTS}


def _list(request: HttpRequest, pages: LoopPages) -> HttpResponse:
    form = pages.filter_form(request.GET)
    rows = pages.list_rows(form.filters())
    page = paginate(request, rows)
    on = today()
    for item in page:
        item.overdue = item.overdue_on(on)
    context = {
        "pages": pages,
        "form": form,
        "page": page,
        "query": query_without_page(request, form),
    }
    return list_page(
        request,
        f"evaluation/{pages.name}_list.html",
        f"evaluation/partials/{pages.name}_results.html",
        context,
    )


def _export(request: HttpRequest, pages: LoopPages) -> HttpResponse:
    form = pages.filter_form(request.GET)
    rows = pages.list_rows(form.filters())
    response, _count = xlsx_response(
        export_filename(pages.export_name),
        lambda target: pages.export(
            actor=request.actor, rows=rows, on=today(), filters=filters_of(form), target=target
        ),
    )
    return response


def _stage(request: HttpRequest, pages: LoopPages, obj: FollowUp, form=None, error: str = ""):
    """The stage panel: the record's state, deadlines, history, and the form of its next step."""
    obj.overdue = obj.overdue_on(today())
    step = pages.action_for(obj)
    if step is not None and form is None:
        form = step[2]()
    context = {
        "pages": pages,
        "obj": obj,
        "step": step,
        "form": form,
        "error": error,
        "history": queries.history(**{"task" if pages is TASKS else "complaint": obj}),
        "action_url": reverse(f"evaluation:{pages.name}-act", args=[obj.pk]),
    }
    return context


@staff_required
@require_GET
def detail(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    pages = PAGES[kind]
    obj = pages.access(request, pk)
    return render(request, f"evaluation/{pages.name}_detail.html", _stage(request, pages, obj))


@staff_required
@require_POST
def act(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The next step of a task or complaint, from its stage panel (htmx) or a plain form."""
    pages = PAGES[kind]
    obj = pages.model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    step = pages.action_for(obj)
    form, error = None, ""
    if step is None:
        error = str(_("该事项已办结。"))
    else:
        form = step[2](request.POST)
        if form.is_valid():
            try:
                step[3](request.actor, obj, form.cleaned_data)
                form = None
            except ValidationError as e:
                apply_errors(form, e)
                error = message_of(e)
        obj = pages.model.objects.select_related("org_unit", "department").get(pk=pk)
    if request.htmx:
        context = _stage(request, pages, obj, form=form, error=error)
        return render(request, "evaluation/partials/stage.html", context)
    if error:
        messages.error(request, error)
    return redirect(f"evaluation:{pages.name}", pk=pk)


@staff_required
@require_GET
def listing(request: HttpRequest, kind: str) -> HttpResponse:
    return _list(request, PAGES[kind])


@staff_required
@require_GET
def export_list(request: HttpRequest, kind: str) -> HttpResponse:
    return _export(request, PAGES[kind])


# --- complaint intake -----------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    form = f.ComplaintForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = svc.submit_complaint(
                actor=request.actor,
                channel=data["channel"],
                complainant_name=data["complainant_name"],
                complainant_phone=data["complainant_phone"],
                complainant_id_number=data["complainant_id_number"],
                content=data["content"],
                subject_kind=data["subject_kind"],
                case_no=data["case_no"],
                staff_id=data["staff"].pk if data["staff"] else None,
                org_unit_code=data["org_unit"].pk if data["org_unit"] else "",
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            complaint = result.complaint
            if result.created:
                messages.success(
                    request,
                    _("投诉已受理，编号%(no)s。") % {"no": complaint.complaint_no},
                )
            else:
                messages.info(
                    request,
                    _("该投诉人刚就同一对象提交过投诉（%(no)s），未重复登记。")
                    % {"no": complaint.complaint_no},
                )
            return redirect("evaluation:complaint", pk=complaint.pk)
    return render(request, "evaluation/complaint_new.html", {"form": form})
