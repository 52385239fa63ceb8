"""办件查询 (search and Excel), the case page, and the printable notices: 受理通知书,
一次性告知书, 不予受理通知书, 容缺受理承诺书 — each can be printed again later from the case."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bianmin.cases import bundle_queries
from bianmin.cases.models import (
    BundleApplication,
    Case,
    CaseEvent,
    DeficiencyPledge,
    EventAction,
    MaterialSource,
)
from bianmin.cases.services.common import access_case
from bianmin.catalog.models import ServiceItem
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.counter import exports
from bianmin.counter.casefile import case_page
from bianmin.counter.common import CASEWORK, INTAKE, actor_of, roles_required, staff_of
from bianmin.counter.forms import CaseSearchForm
from bianmin.counter.queries import search_cases
from bianmin.workbench.common import filters_of, list_page, paginate, query_without_page

# --- 办件查询 -------------------------------------------------------------------------------


def _search(request: HttpRequest) -> tuple[CaseSearchForm, Any]:
    form = CaseSearchForm(request.GET or None)
    if form.is_bound and form.dropped:
        return form, Case.objects.none()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, search_cases(
        q=data.get("q", ""),
        item=data.get("item", ""),
        status=data.get("status", ""),
        warning_level=data.get("warning_level", ""),
    )


@require_GET
@roles_required(CASEWORK)
def search(request: HttpRequest) -> HttpResponse:
    form, cases = _search(request)
    context = {
        "form": form,
        "page": paginate(request, cases),
        "query": query_without_page(request, form),
        "item_codes": ServiceItem.objects.filter(is_current=True)
        .order_by("code")
        .values_list("code", "name"),
    }
    return list_page(
        request, "counter/case_search.html", "counter/partials/case_results.html", context
    )


@require_GET
@roles_required(CASEWORK)
def export(request: HttpRequest) -> HttpResponse:
    form, cases = _search(request)
    title = "办件查询"
    response, _count = xlsx_response(
        export_filename(title),
        lambda target: exports.export_cases(
            actor=request.actor, cases=cases, title=title, filters=filters_of(form), target=target
        ),
    )
    return response


# --- the case page --------------------------------------------------------------------------


@require_GET
@roles_required(CASEWORK)
def detail(request: HttpRequest, case_no: str) -> HttpResponse:
    return case_page(request, case_no)


# --- printable notices ----------------------------------------------------------------------

NOTICES = {
    "acceptance": "counter/notices/acceptance.html",
    "supplement": "counter/notices/supplement.html",
    "refusal": "counter/notices/refusal.html",
    "pledge": "counter/notices/pledge.html",
}


def _last_event(case: Case, *actions: str) -> CaseEvent | None:
    return case.events.filter(action__in=actions).order_by("-at", "-id").first()


def _notice_data(case: Case, kind: str) -> dict[str, Any] | None:
    """What the notice prints, or None when the case has no such notice."""
    if kind == "acceptance":
        if case.accepted_at is None:
            return None
        materials = list(case.materials.select_related("material").order_by("id"))
        accepted = _last_event(case, EventAction.ACCEPTED)
        return {
            "handler": accepted.actor_name if accepted else "",
            "submitted": [m for m in materials if m.source == MaterialSource.SUBMITTED],
            "shared": [m for m in materials if m.source == MaterialSource.SHARED],
            "pledge": DeficiencyPledge.objects.filter(case=case).first(),
        }
    if kind == "supplement":
        event = _last_event(case, EventAction.RETURNED, EventAction.REVIEW_RETURNED)
        if event is None:
            return None
        notice = event.data.get("notice") or {}
        return {
            "event": event,
            "handler": event.actor_name,
            "missing": notice.get("missing")
            or [{"name": n, "reason": event.reason} for n in event.data.get("missing", [])],
            "conditional": notice.get("conditional", []),
            "shared": notice.get("shared", []),
            "problems": notice.get("problems", []),
        }
    if kind == "refusal":
        event = _last_event(case, EventAction.NOT_ACCEPTED)
        return {"event": event, "handler": event.actor_name} if event else None
    if kind == "pledge":
        pledge = DeficiencyPledge.objects.filter(case=case).first()
        accepted = _last_event(case, EventAction.ACCEPTED)
        handler = accepted.actor_name if accepted else ""
        return {"pledge": pledge, "handler": handler} if pledge else None
    return None


def _can_intake(request: HttpRequest) -> bool:
    staff = staff_of(request)
    return staff is not None and staff.role in INTAKE


def _centre(request: HttpRequest, case: Case):
    staff = staff_of(request)
    return case.org_unit or (staff.org_unit if staff else None)


@require_GET
@roles_required(CASEWORK)
def notice(request: HttpRequest, case_no: str, kind: str) -> HttpResponse:
    if kind not in NOTICES:
        raise Http404
    case = _case_for_notice(request, case_no)
    data = _notice_data(case, kind)
    if data is None:
        raise Http404
    staff = staff_of(request)
    context = {
        "case": case,
        "kind": kind,
        "centre": _centre(request, case),
        "today": timezone.localdate(),
        "clerk": staff,
        "can_intake": _can_intake(request),
        **data,
    }
    return render(request, NOTICES[kind], context)


def _case_for_notice(request: HttpRequest, case_no: str) -> Case:
    try:
        return access_case(actor=actor_of(request), case_no=case_no)
    except Case.DoesNotExist:
        raise Http404 from None


@require_GET
@roles_required(CASEWORK)
def bundle_notice(request: HttpRequest, bundle_no: str) -> HttpResponse:
    """多证联办: one notice for the whole application, in its state — the one-time notice of
    a return (a material several items need named once, with the items), the refusal (the
    reason and each item's problems), the acceptance, or the result of every item."""
    application = (
        BundleApplication.objects.select_related("bundle").filter(bundle_no=bundle_no).first()
    )
    if application is None:
        raise Http404
    numbers = list(
        Case.objects.filter(bundle_application=application)
        .order_by("id")
        .values_list("case_no", flat=True)
    )
    if not numbers:
        raise Http404
    cases = [_case_for_notice(request, n) for n in numbers]
    context = {
        "application": application,
        "notice": bundle_queries.bundle_notice(cases),
        "cases": cases,
        "centre": _centre(request, cases[0]),
        "today": timezone.localdate(),
        "clerk": staff_of(request),
        "can_intake": _can_intake(request),
    }
    return render(request, "counter/notices/bundle.html", context)
