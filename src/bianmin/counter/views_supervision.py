"""电子监察 for supervisors: cases by warning level (黄灯 / 红灯), counts by department and by
centre, the on-time rate month by month — all from the indicator library over what the viewer
sees, for a month, quarter or year (this month by default) — and the work lists: red and
yellow cases, cases over their item's 最多跑一次 limit, overdue 容缺 pledges, the extension
requests waiting for approval. Every table exports to Excel (audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bianmin.cases import queries as case_queries
from bianmin.cases.models import WarningLevel
from bianmin.cases.services import deadlines
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.counter import exports, queries
from bianmin.counter.common import SUPERVISION, actor_of, error_text, roles_required
from bianmin.counter.forms import ExtensionDecisionForm
from bianmin.indicators.library import CENTRE, DEPARTMENT, Period
from bianmin.indicators.selector import period_choices, selected_period
from bianmin.workbench.common import paginate

PREVIEW = 10


def _period(request: HttpRequest) -> tuple[Period, str]:
    return selected_period(request.GET.get("period"), timezone.localdate())


def _months_to(period: Period, today) -> Period:
    """The last month of the twelve-month table: the period's, or this month if later."""
    return Period.of(min(period.end, today))


def warning_cases(level: str):
    """Running cases at a warning level, the most urgent first."""
    return case_queries.filter_cases(warning_level=level).order_by("due_date", "id")


@require_GET
@roles_required(SUPERVISION)
def dashboard(request: HttpRequest) -> HttpResponse:
    period, error = _period(request)
    today = timezone.localdate()
    report = case_queries.supervision(period=period, on=today, scope=request.scope)
    context = {
        "period": period,
        "period_choices": period_choices(period, today),
        "error": error,
        "report": report,
        "months": case_queries.on_time_by_month(
            last=_months_to(period, today), scope=request.scope
        ),
        "red": list(warning_cases(WarningLevel.RED)[:PREVIEW]),
        "yellow": list(warning_cases(WarningLevel.YELLOW)[:PREVIEW]),
        "extensions": list(queries.pending_extensions()[:PREVIEW]),
        "decision_form": ExtensionDecisionForm(),
        "totals": report.totals,
        "query": urlencode({"period": str(period)}),
    }
    return render(request, "counter/supervision.html", context)


# --- the full lists -------------------------------------------------------------------------

LISTS: dict[str, tuple[Any, Callable]] = {
    "red": (gettext_lazy("红灯超期办件"), lambda on: warning_cases(WarningLevel.RED)),
    "yellow": (gettext_lazy("黄灯预警办件"), lambda on: warning_cases(WarningLevel.YELLOW)),
    "visits": (
        gettext_lazy("超过最多跑动次数的办件"),
        lambda on: case_queries.cases_over_max_visits(),
    ),
    "pledges": (gettext_lazy("容缺承诺逾期未补交"), lambda on: case_queries.pledges_overdue(on)),
    "extensions": (gettext_lazy("待审批的延期申请"), lambda on: queries.pending_extensions()),
}


@require_GET
@roles_required(SUPERVISION)
def listing(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in LISTS:
        raise Http404
    title, rows = LISTS[kind]
    context = {
        "kind": kind,
        "title": title,
        "page": paginate(request, rows(timezone.localdate())),
        "query": "",
        "decision_form": ExtensionDecisionForm(),
    }
    return render(request, "counter/supervision_list.html", context)


# --- Excel ----------------------------------------------------------------------------------


def _table(kind: str, period: Period, on, scope) -> tuple[str, list, Any]:
    """(title, columns, rows) of one exportable table."""
    if kind in ("departments", "centres"):
        if kind == "departments":
            return (
                f"按部门统计_{period}",
                exports.DEPARTMENT_COLUMNS,
                case_queries.counts_by(DEPARTMENT, period=period, scope=scope),
            )
        return (
            f"按受理单位统计_{period}",
            exports.CENTRE_COLUMNS,
            case_queries.counts_by(CENTRE, period=period, scope=scope),
        )
    if kind == "months":
        rows = case_queries.on_time_by_month(last=_months_to(period, on), scope=scope)
        return "按月按时办结率", exports.MONTH_COLUMNS, rows
    if kind == "pledges":
        return "容缺承诺逾期", exports.PLEDGE_COLUMNS, case_queries.pledges_overdue(on)
    if kind == "extensions":
        return "待审批延期申请", exports.EXTENSION_COLUMNS, queries.pending_extensions()
    raise Http404


@require_GET
@roles_required(SUPERVISION)
def export(request: HttpRequest, table: str) -> HttpResponse:
    period, _error = _period(request)
    on = timezone.localdate()
    filters = {"period": str(period), "table": table}
    if table in ("red", "yellow", "visits"):
        title = str(LISTS[table][0])
        cases = LISTS[table][1](on)
        response, _count = xlsx_response(
            export_filename(title),
            lambda target: exports.export_cases(
                actor=request.actor, cases=cases, title=title, filters=filters, target=target
            ),
        )
        return response
    title, columns, rows = _table(table, period, on, request.scope)
    response, _count = xlsx_response(
        export_filename(title),
        lambda target: exports.export_rows(
            actor=request.actor,
            rows=rows,
            columns=columns,
            title=title,
            filters=filters,
            target=target,
        ),
    )
    return response


# --- extension requests ---------------------------------------------------------------------


@require_POST
@roles_required(SUPERVISION)
def decide_extension(request: HttpRequest, pk: int) -> HttpResponse:
    extension = queries.pending_extensions().filter(pk=pk).first()
    if extension is None:
        raise Http404
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或不批准。"))
    else:
        try:
            deadlines.decide_extension(
                actor=actor_of(request),
                extension=extension,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, error_text(e))
        else:
            done = _("已批准延期") if form.cleaned_data["approve"] else _("已不批准延期")
            messages.success(request, f"{done}：{extension.case.case_no}")
    if request.POST.get("next") == "list":
        return redirect("counter:supervision-list", kind="extensions")
    return redirect("counter:supervision")
