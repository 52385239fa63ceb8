"""Audit log viewer for administrators: search, export, and the state of the hash chain."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bianmin.core.audit import verify_chain
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.core.models import AuditEntry
from bianmin.registry.exports import export_audit_log
from bianmin.registry.models import OrgUnit
from bianmin.workbench.common import (
    admin_required,
    filters_of,
    list_page,
    paginate,
    query_without_page,
)
from bianmin.workbench.forms import AuditSearchForm

AUDIT_PAGE_SIZE = 50


def _search(request: HttpRequest) -> tuple[AuditSearchForm, QuerySet[AuditEntry]]:
    form = AuditSearchForm(request.GET or None)
    entries = AuditEntry.objects.all()
    if not form.is_bound or not form.is_valid():
        return form, entries if not form.is_bound else entries.none()
    data = form.cleaned_data
    if data["actor"]:
        entries = entries.filter(
            Q(actor_name__contains=data["actor"]) | Q(actor__username=data["actor"])
        )
    if data["obj"]:
        obj = data["obj"].strip()
        kind, _sep, ident = obj.partition(":")
        if ident:
            entries = entries.filter(object_type=kind.strip(), object_id=ident.strip())
        else:
            entries = entries.filter(
                Q(object_label__contains=obj) | Q(object_id=obj) | Q(object_type=obj)
            )
    if data["action"]:
        entries = entries.filter(action=data["action"])
    if data["date_from"]:
        entries = entries.filter(at__date__gte=data["date_from"])
    if data["date_to"]:
        entries = entries.filter(at__date__lte=data["date_to"])
    return form, entries


@admin_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form, entries = _search(request)
    page = paginate(request, entries, AUDIT_PAGE_SIZE)
    # The log keeps unit codes (names change); show today's names, in one query.
    names = dict(
        OrgUnit.objects.filter(code__in={e.org_unit_code for e in page}).values_list("code", "name")
    )
    for entry in page:
        entry.org_unit_name = names.get(entry.org_unit_code, entry.org_unit_code)
    context = {"form": form, "page": page, "query": query_without_page(request, form)}
    return list_page(
        request, "workbench/audit/list.html", "workbench/audit/partials/results.html", context
    )


@admin_required
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Recompute the whole chain. Loaded after the page (htmx) so the list never waits on it."""
    return render(request, "workbench/audit/partials/verify.html", {"report": verify_chain()})


@admin_required
def audit_export(request: HttpRequest) -> HttpResponse:
    form, entries = _search(request)
    response, _count = xlsx_response(
        export_filename("审计日志"),
        lambda target: export_audit_log(
            actor=request.actor, entries=entries, filters=filters_of(form), target=target
        ),
    )
    return response
