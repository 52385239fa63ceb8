"""Staff pages: the catalogue, requests and grants, the access log, the materials statistics."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bianmin.core.excel import export_filename, xlsx_response
from bianmin.registry.access import actor_for, client_ip
from bianmin.registry.models import Staff
from bianmin.sharing import queries, services
from bianmin.sharing.exports import export_access_log
from bianmin.sharing.forms import DecisionForm, LogFilterForm, RequestForm
from bianmin.sharing.models import AccessRequest, Grant, RequestStatus
from bianmin.workbench.common import (
    apply_errors,
    filters_of,
    paginate,
    query_without_page,
    staff_required,
)


def _staff(request: HttpRequest) -> Staff | None:
    return getattr(request.user, "staff", None)


def _actor(request: HttpRequest):
    return actor_for(request.user, ip=client_ip(request))


def _may_read_log(request: HttpRequest) -> bool:
    staff = _staff(request)
    return request.user.is_superuser or (staff is not None and staff.role in queries.LOG_ROLES)


@staff_required
def catalogue(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    mine = {}
    if staff is not None and staff.department_id:
        today = timezone.localdate()
        for g in Grant.objects.filter(department_id=staff.department_id):
            if g.active_on(today):
                mine[g.item_id] = g
    items = queries.catalogue()
    for item in items:
        item.my_grant = mine.get(item.code)
        item.is_mine = staff is not None and item.owner_id == staff.department_id
    return render(request, "sharing/catalogue.html", {"items": items})


@staff_required
def requests_page(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_access(
                actor=_actor(request),
                item_code=form.cleaned_data["item"],
                purpose=form.cleaned_data["purpose"],
                scope_prefix=form.cleaned_data["scope_prefix"],
                until=form.cleaned_data["requested_until"],
            )
        except (ValidationError, PermissionDenied) as e:
            if isinstance(e, PermissionDenied):
                form.add_error(None, str(e))
            else:
                apply_errors(form, e)
        else:
            messages.success(request, _("共享申请已提交，等待数据提供部门审批。"))
            return redirect("sharing:requests")
    rows = list(queries.requests_for(staff)[:200])
    for r in rows:
        r.decidable = r.status == RequestStatus.PENDING and (
            request.user.is_superuser
            or (
                staff is not None
                and (staff.role == "admin" or staff.department_id == r.item.owner_id)
            )
        )
    return render(
        request,
        "sharing/requests.html",
        {"form": form, "rows": rows, "decision": DecisionForm(), "staff": staff},
    )


@staff_required
@require_POST
def decide(request: HttpRequest, pk: int, verdict: str) -> HttpResponse:
    req = get_object_or_404(AccessRequest.objects.select_related("item__owner"), pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if verdict == "approve":
            services.approve(actor=_actor(request), request=req, reason=reason)
            messages.success(request, _("已同意，授权生效。"))
        else:
            services.refuse(actor=_actor(request), request=req, reason=reason)
            messages.success(request, _("已拒绝该申请。"))
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    except PermissionDenied as e:
        messages.error(request, str(e))
    return redirect("sharing:requests")


@staff_required
def grants_page(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    rows = list(queries.grants_for(staff)[:300])
    for g in rows:
        g.state = queries.grant_state(g)
        g.revocable = g.state == "active" and (
            request.user.is_superuser
            or (
                staff is not None
                and (staff.role == "admin" or staff.department_id == g.item.owner_id)
            )
        )
    return render(request, "sharing/grants.html", {"rows": rows, "decision": DecisionForm()})


@staff_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(Grant, pk=pk)
    try:
        services.revoke(actor=_actor(request), grant=grant, reason=request.POST.get("reason", ""))
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    except PermissionDenied as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("授权已撤销。"))
    return redirect("sharing:grants")


def _log(request: HttpRequest):
    if not _may_read_log(request):
        raise PermissionDenied(_("只有监察人员和系统管理员可以查看数据调用记录。"))
    form = LogFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    entries = queries.access_log(item_code=data.get("item", ""), outcome=data.get("outcome", ""))
    return form, entries


@staff_required
def access_log(request: HttpRequest) -> HttpResponse:
    form, entries = _log(request)
    context = {
        "form": form,
        "page": paginate(request, entries),
        "query": query_without_page(request, form),
    }
    return render(request, "sharing/access_log.html", context)


@staff_required
def access_log_export(request: HttpRequest) -> HttpResponse:
    form, entries = _log(request)
    response, _count = xlsx_response(
        export_filename("数据调用记录"),
        lambda target: export_access_log(
            actor=request.actor, entries=entries, filters=filters_of(form), target=target
        ),
    )
    return response


@staff_required
def stats(request: HttpRequest) -> HttpResponse:
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        rows = queries.materials_stats(month)
    except ValueError:
        month = timezone.localdate().strftime("%Y-%m")
        rows = queries.materials_stats(month)
        messages.error(request, _("月份格式应为 YYYY-MM。"))
    total = sum(r["satisfied"] for r in rows)
    return render(request, "sharing/stats.html", {"rows": rows, "month": month, "total": total})
