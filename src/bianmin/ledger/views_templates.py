"""/ledger/templates/ — the report designer: pick indicators from the library (their formula
shown), add hand-entered columns, headings and notes, and see the report filled live."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.ledger import designer, periods, queries, sources
from bianmin.ledger.models import (
    ColumnSource,
    Frequency,
    Report,
    ReportTemplate,
    RowKind,
    ValueType,
)
from bianmin.ledger.services import save_template, set_template_active
from bianmin.ledger.services.templates import clean_layout, may_design
from bianmin.ledger.tables import build_table
from bianmin.registry.access import actor_for, client_ip
from bianmin.registry.models import Division
from bianmin.workbench.common import staff_required


@staff_required
def template_list(request: HttpRequest) -> HttpResponse:
    templates = ReportTemplate.objects.order_by("code")
    return render(request, "ledger/template_list.html", {"templates": templates})


def _catalogue_groups() -> list[tuple[str, list[sources.IndicatorInfo]]]:
    groups: dict[str, list[sources.IndicatorInfo]] = {}
    for info in sources.catalogue():
        groups.setdefault(info.category or _("其他"), []).append(info)
    return list(groups.items())


def _preview(request: HttpRequest, state: dict) -> tuple[object | None, list[str]]:
    """The report as it would look for the viewer's own unit and the last closed period."""
    try:
        columns, headings, categories = clean_layout(
            row_kind=state["row_kind"],
            columns=state["columns"],
            headings=designer.headings_from_text(state["headings_text"]),
            categories=designer.categories_from_text(state["categories_text"]),
        )
    except ValidationError as exc:
        return None, [str(m) for m in exc.messages]
    if state["frequency"] not in Frequency.values:
        return None, []
    division = queries.user_division(request.user) or Division.objects.filter(level=2).first()
    if division is None:
        return None, []
    period = periods.last_closed(state["frequency"])
    layout = {
        "version": 0,
        "name": state["name"] or _("（未命名报表）"),
        "frequency": state["frequency"],
        "row_kind": state["row_kind"],
        "categories": categories,
        "columns": columns,
        "headings": headings,
        "notes": state["notes"],
    }
    report = Report(
        layout=layout,
        division=division,
        area_code=division.code,
        period=period.key,
        period_start=period.start,
        period_end=period.end,
    )
    return build_table(report), []


def _designer_context(request: HttpRequest, state: dict, template, errors=None) -> dict:
    catalogue = sources.catalogue()
    table, preview_errors = _preview(request, state)
    return {
        "state": state,
        "template": template,
        "groups": _catalogue_groups(),
        "formulas": {i.code: i for i in catalogue},
        "frequencies": Frequency.choices,
        "row_kinds": RowKind.choices,
        "sources": ColumnSource.choices,
        "value_types": ValueType.choices,
        "errors": errors or [],
        "preview": table,
        "preview_errors": preview_errors,
    }


@staff_required
def template_design(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not may_design(request.user):
        raise PermissionDenied(_("只有监察人员和系统管理员可以设计报表模板。"))
    template = get_object_or_404(ReportTemplate, pk=pk) if pk else None
    if request.method != "POST":
        state = designer.state_from_template(template)
        return render(request, "ledger/designer.html", _designer_context(request, state, template))
    state = designer.state_from_post(request.POST)
    op = request.POST.get("op", "")
    if op:
        names = {i.code: i.name for i in sources.catalogue()}
        designer.apply_op(state, op, names)
    if op or request.htmx:
        # A change in the form: re-render the designer and its preview, save nothing.
        page = "ledger/partials/designer_form.html" if request.htmx else "ledger/designer.html"
        return render(request, page, _designer_context(request, state, template))
    try:
        saved = save_template(
            actor=actor_for(request.user, ip=client_ip(request)),
            user=request.user,
            template=template,
            code=state["code"],
            name=state["name"],
            frequency=state["frequency"],
            row_kind=state["row_kind"],
            columns=state["columns"],
            headings=designer.headings_from_text(state["headings_text"]),
            categories=designer.categories_from_text(state["categories_text"]),
            notes=state["notes"],
        )
    except ValidationError as exc:
        errors = [str(m) for m in exc.messages]
        return render(
            request,
            "ledger/designer.html",
            _designer_context(request, state, template, errors),
            status=400,
        )
    messages.success(
        request,
        _("报表模板“%(name)s”已保存（第%(v)s版）。") % {"name": saved.name, "v": saved.version},
    )
    return redirect("ledger:template-edit", pk=saved.pk)


@staff_required
@require_POST
def template_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop offering a template for new reports (its reports stay), or offer it again."""
    if not may_design(request.user):
        raise PermissionDenied(_("只有监察人员和系统管理员可以设计报表模板。"))
    template = get_object_or_404(ReportTemplate, pk=pk)
    active = request.POST.get("active") == "1"
    set_template_active(
        actor=actor_for(request.user, ip=client_ip(request)), template=template, active=active
    )
    messages.success(request, _("已启用。") if active else _("已停用，已建立的报表不受影响。"))
    return redirect("ledger:template-edit", pk=template.pk)
