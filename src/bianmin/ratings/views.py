"""Staff pages of the star ratings: the monthly table, a centre's card, the self-assessment
and 明察暗访 forms, the year's reward and warning lists (Excel). Each action is one service
call; supervisors (监察人员) and administrators rate, any centre staff may self-assess."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.core.errors import message_of
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.ratings import exports, queries, scheme
from bianmin.ratings import forms as f
from bianmin.ratings import services as svc
from bianmin.ratings.models import MonthlyRating, YearNotice
from bianmin.ratings.services.common import self_deadline, today
from bianmin.registry.access import staff_of
from bianmin.registry.models import Role
from bianmin.workbench.common import apply_errors, is_admin, staff_required

RATERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


def may_rate(user) -> bool:
    staff = staff_of(user)
    return is_admin(user) or (staff is not None and staff.role in RATERS)


def rater_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_rate(request.user):
            raise PermissionDenied(_("只有监察人员和系统管理员可以进行星级评定。"))
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
@require_GET
def month_table(request: HttpRequest) -> HttpResponse:
    form = f.MonthForm(request.GET)
    month = form.selected()
    error, rows = "", []
    try:
        svc.common.month_bounds(month)
        rows = list(queries.month_table(month=month, area=form.data.get("area", "").strip()))
    except ValidationError as e:
        error = message_of(e)
    context = {
        "form": form,
        "month": month,
        "rows": rows,
        "error": error,
        "published": any(r.locked for r in rows),
        "may_rate": may_rate(request.user),
        "dimensions": scheme.ORDER,
        "areas": queries.area_choices(),
        "area": form.data.get("area", "").strip(),
        "bands": scheme.STAR_BANDS,
    }
    return render(request, "ratings/month.html", context)


def _act(request: HttpRequest, action: Callable[[], Any], done: str) -> HttpResponse:
    month = request.POST.get("month", "")
    try:
        action()
        messages.success(request, done)
    except ValidationError as e:
        messages.error(request, message_of(e))
    return redirect(f"{reverse('ratings:month')}?month={month}")


@rater_required
@require_POST
def compute(request: HttpRequest) -> HttpResponse:
    month = request.POST.get("month", "")
    return _act(
        request,
        lambda: svc.compute_month(actor=request.actor, month=month),
        _("已按当月数据完成评定。"),
    )


@rater_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    month = request.POST.get("month", "")
    return _act(
        request,
        lambda: svc.publish_month(actor=request.actor, month=month),
        _("已发布，本月星级不再变动。"),
    )


@staff_required
@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    rating = MonthlyRating.objects.select_related("centre__division").filter(pk=pk).first()
    if rating is None:
        raise Http404
    return render(request, "ratings/card.html", {"card": queries.card(rating)})


@staff_required
@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request.user)
    initial = {"month": f"{today():%Y-%m}", "centre": staff.org_unit_id if staff else ""}
    form = f.SelfAssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        notes = form.cleaned_data["notes"].strip()
        try:
            item = svc.submit_self_assessment(
                actor=request.actor,
                centre=form.cleaned_data["centre"],
                month=form.cleaned_data["month"],
                scores=form.scores(),
                notes=dict.fromkeys(scheme.ORDER[:1], notes) if notes else {},
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(
                request,
                _("已报送%(centre)s %(month)s的自评。")
                % {"centre": item.centre.name, "month": item.month},
            )
            return redirect(f"{reverse('ratings:month')}?month={item.month}")
    deadline = self_deadline(initial["month"])
    return render(request, "ratings/self_form.html", {"form": form, "deadline": deadline})


@rater_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request.user)
    initial = {"inspected_on": today(), "supervisor": staff.display_name if staff else ""}
    form = f.InspectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = svc.record_inspection(
                actor=request.actor,
                centre=form.cleaned_data["centre"],
                inspected_on=form.cleaned_data["inspected_on"],
                mode=form.cleaned_data["mode"],
                supervisor=form.cleaned_data["supervisor"],
                findings=form.cleaned_data["findings"],
                deductions=form.scores(),
                user_id=request.user.pk,
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("已登记明察暗访。"))
            return redirect(f"{reverse('ratings:month')}?month={item.inspected_on:%Y-%m}")
    return render(request, "ratings/inspection_form.html", {"form": form})


def _lists(year: int) -> dict[str, Any]:
    notices = {(n.kind, n.centre_id): n for n in queries.notices(year=year)}
    on = today()
    rewards = queries.reward_list(year=year)
    warnings = queries.warning_list(year=year)
    return {
        "rewards": [(r, notices.get((YearNotice.Kind.REWARD, r.centre_id))) for r in rewards],
        "warnings": [
            (r, notices.get((YearNotice.Kind.WARNING, r.centre_id)), on) for r in warnings
        ],
        "notices": notices,
        "today": on,
    }


@staff_required
@require_GET
def year_lists(request: HttpRequest) -> HttpResponse:
    form = f.YearForm(request.GET)
    year = form.selected()
    context = {
        "form": form,
        "year": year,
        "may_rate": may_rate(request.user),
        "follow_up_form": f.FollowUpForm(),
        "list_months": queries.LIST_MONTHS,
        **_lists(year),
    }
    return render(request, "ratings/lists.html", context)


@rater_required
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    year = f.YearForm(request.POST).selected()
    try:
        svc.issue_notices(actor=request.actor, year=year)
        messages.success(request, _("已下发奖励名单和警告（限期整改）。"))
    except ValidationError as e:
        messages.error(request, message_of(e))
    return redirect(f"{reverse('ratings:lists')}?year={year}")


@rater_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    notice = YearNotice.objects.filter(pk=pk).first()
    if notice is None:
        raise Http404
    try:
        svc.record_follow_up(
            actor=request.actor,
            notice_id=notice.pk,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("已登记整改情况。"))
    except ValidationError as e:
        messages.error(request, message_of(e))
    return redirect(f"{reverse('ratings:lists')}?year={notice.year}")


@staff_required
@require_GET
def export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in YearNotice.Kind.values:
        raise Http404
    year = f.YearForm(request.GET).selected()
    rows = (
        queries.reward_list(year=year)
        if kind == YearNotice.Kind.REWARD
        else queries.warning_list(year=year)
    )
    notices = {n.centre_id: n for n in queries.notices(year=year, kind=kind)}
    response, _count = xlsx_response(
        export_filename(f"星级{YearNotice.Kind(kind).label}名单_{year}"),
        lambda target: exports.export_list(
            actor=request.actor, year=year, kind=kind, rows=rows, notices=notices, target=target
        ),
    )
    return response
