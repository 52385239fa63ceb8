"""/ledger/ — staff pages: reports (fill, submit, review), the community ledger, the inbox."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.core import audit
from bianmin.core.models import AuditAction
from bianmin.ledger import periods, queries, services
from bianmin.ledger.exports import pdf_response, xlsx_response
from bianmin.ledger.models import ReportStatus, ReportTemplate
from bianmin.ledger.tables import build_table
from bianmin.registry.access import actor_for, client_ip
from bianmin.registry.models import Division
from bianmin.workbench.common import paginate, staff_required


def _actor(request: HttpRequest):
    return actor_for(request.user, ip=client_ip(request))


def _report(pk: int):
    # Scoped manager: a report outside the viewer's area is simply not found.
    return get_object_or_404(queries.reports(), pk=pk)


def _error_text(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


@staff_required
def report_list(request: HttpRequest) -> HttpResponse:
    qs = queries.reports()
    template_code = request.GET.get("template", "")
    status = request.GET.get("status", "")
    period = request.GET.get("period", "").strip()
    if template_code:
        qs = qs.filter(template__code=template_code)
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    if period:
        qs = qs.filter(period=period)
    division = queries.user_division(request.user)
    templates = ReportTemplate.objects.filter(active=True).order_by("code")
    return render(
        request,
        "ledger/report_list.html",
        {
            "page": paginate(request, qs),
            "templates": templates,
            "statuses": ReportStatus.choices,
            "filters": {"template": template_code, "status": status, "period": period},
            "division": division,
            "inbox_count": queries.inbox(request.user).count(),
            "suggested": {t.pk: periods.last_closed(t.frequency).key for t in templates},
        },
    )


@staff_required
@require_POST
def report_open(request: HttpRequest) -> HttpResponse:
    template = get_object_or_404(ReportTemplate, pk=request.POST.get("template"))
    code = request.POST.get("division") or getattr(queries.user_division(request.user), "code", "")
    division = Division.objects.filter(code=code).first()
    if division is None:
        messages.error(request, _("请选择填报单位。"))
        return redirect("ledger:reports")
    period = request.POST.get("period", "").strip() or periods.last_closed(template.frequency).key
    try:
        report = services.open_report(
            actor=_actor(request),
            template=template,
            division=division,
            period=period,
            org_unit=getattr(getattr(request.user, "staff", None), "org_unit", None),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "ledger:reports"
        return redirect(back)
    return redirect("ledger:report", pk=report.pk)


def _cell_values(request: HttpRequest) -> dict[tuple[str, str], str]:
    values = {}
    for name, raw in request.POST.items():
        if name.startswith("cell:"):
            _prefix, row_key, column_key = name.split(":", 2)
            values[(row_key, column_key)] = raw
    return values


@staff_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    cell_errors: dict[str, list[str]] = {}
    posted: dict[tuple[str, str], str] = {}
    if request.method == "POST":
        posted = _cell_values(request)
        try:
            services.fill_cells(
                actor=_actor(request), user=request.user, report=report, values=posted
            )
            services.update_signatures(
                actor=_actor(request),
                report=report,
                principal=request.POST.get("principal", ""),
                preparer=request.POST.get("preparer", ""),
                contact_phone=request.POST.get("contact_phone", ""),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                cell_errors = {k: [str(m) for m in v.messages] for k, v in _by_key(exc).items()}
            else:
                messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("ledger:report", pk=report.pk)
    table = build_table(report)
    period = periods.parse(report.layout["frequency"], report.period)
    editable = not report.is_frozen
    grid = display_grid(table, editable=editable, posted=posted, errors=cell_errors)
    return render(
        request,
        "ledger/report_detail.html",
        {
            "report": report,
            "table": table,
            "grid": grid,
            "period": period,
            "editable": editable,
            "can_submit": report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED),
            "period_over": period.is_over(),
            "can_review": report.status == ReportStatus.SUBMITTED
            and services.may_review(request.user, report),
            "has_errors": bool(cell_errors),
            "events": report.events.all(),
            "first_header": _first_header(report.layout["row_kind"]),
        },
    )


def display_grid(table, *, editable=False, posted=None, errors=None) -> list:
    """Rows of {column, cell, input name, raw value, errors} for the report table partial."""
    posted, errors = posted or {}, errors or {}
    grid = []
    for row, cells in table.grid():
        shown = []
        for column, cell in cells:
            key = f"{row.key}:{column['key']}"
            shown.append(
                {
                    "column": column,
                    "cell": cell,
                    "name": f"cell:{key}",
                    # A figure shared from the approved report below is shown, not retyped.
                    "input": editable
                    and column["source"] == "manual"
                    and not row.is_total
                    and not cell.shared_from,
                    "raw": posted.get((row.key, column["key"]), _raw(cell.value)),
                    "errors": errors.get(key, []),
                }
            )
        grid.append((row, shown))
    return grid


def _by_key(exc: ValidationError) -> dict[str, ValidationError]:
    return {k: ValidationError(v) for k, v in exc.error_dict.items()}


def _raw(value) -> str:
    return "" if value is None else str(value)


def _first_header(row_kind: str) -> str:
    return {"units": _("单位"), "categories": _("项目"), "periods": _("月份")}.get(row_kind, "")


def _transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = _report(pk)
    actor = _actor(request)
    try:
        if action == "submit":
            services.submit(actor=actor, user=request.user, report=report)
            messages.success(request, _("已上报，数据已冻结，等待上级审核。"))
        elif action == "approve":
            services.approve(actor=actor, user=request.user, report=report)
            messages.success(request, _("已审核通过。"))
        else:
            services.return_report(
                actor=actor, user=request.user, report=report, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已退回填报单位。"))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("ledger:report", pk=report.pk)


@staff_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit")


@staff_required
@require_POST
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "approve")


@staff_required
@require_POST
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "return")


def _audit_export(request: HttpRequest, report, fmt: str) -> None:
    audit.record(
        _actor(request),
        AuditAction.EXPORT,
        object_type="ledger.report",
        object_id=report.pk,
        object_label=str(report),
        changes={"format": fmt},
    )


@staff_required
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    _audit_export(request, report, "xlsx")
    return xlsx_response(build_table(report, live=False))


@staff_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    _audit_export(request, report, "pdf")
    return pdf_response(build_table(report, live=False))


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request, "ledger/inbox.html", {"page": paginate(request, queries.inbox(request.user))}
    )


@staff_required
def community(request: HttpRequest) -> HttpResponse:
    """一个社区一本台帐."""
    own = queries.user_division(request.user)
    choices = queries.communities_under(own)
    code = request.GET.get("division") or (own.code if own and own.level == 5 else "")
    if not code and choices:
        code = choices[0].code
    division = Division.objects.filter(code=code, level=5).first()
    scope = getattr(request, "scope", None)
    if division is not None and scope is not None and not scope.covers(division.code):
        raise PermissionDenied(_("该社区不在您的管辖范围内。"))
    month = request.GET.get("month") or queries.default_month()
    error = ""
    entries = []
    if division is not None:
        try:
            periods.parse(periods.MONTHLY, month)
            entries = [
                (e, display_grid(e.table), _first_header(e.template.row_kind))
                for e in queries.community_ledger(division, month)
            ]
        except ValidationError as exc:
            error = _error_text(exc)
    return render(
        request,
        "ledger/community.html",
        {
            "division": division,
            "choices": choices,
            "month": month,
            "entries": entries,
            "error": error,
        },
    )
