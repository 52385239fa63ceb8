"""Pages of the hygiene grading: the public 公示 (no login), and for staff the places with
their history, registering a place, the scoring form, and the inspection calendar."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.core.errors import message_of
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.hygiene import forms as f
from bianmin.hygiene import grading, queries
from bianmin.hygiene import services as svc
from bianmin.hygiene.exports import export_places
from bianmin.hygiene.models import PublicPlace, SheetItem
from bianmin.hygiene.services.common import today
from bianmin.registry.access import staff_of
from bianmin.workbench.common import apply_errors, paginate, query_without_page, staff_required


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """公示: places and their current grade, for anyone."""
    form = f.PlaceFilterForm(request.GET)
    rows = queries.public_places(
        q=form.value("q"), place_type=form.value("place_type"), grade=form.value("grade")
    )
    context = {
        "form": form,
        "page": paginate(request, rows),
        "query": query_without_page(request, form),
        "visits": grading.VISITS_PER_YEAR,
    }
    return render(request, "hygiene/public.html", context)


def _filters(form: f.PlaceFilterForm) -> dict[str, str]:
    return {name: form.value(name) for name in ("q", "place_type", "grade")}


@staff_required
@require_GET
def places(request: HttpRequest) -> HttpResponse:
    form = f.PlaceFilterForm(request.GET)
    rows = queries.places(**_filters(form))
    context = {
        "form": form,
        "page": paginate(request, rows),
        "query": query_without_page(request, form),
    }
    return render(request, "hygiene/places.html", context)


@staff_required
@require_GET
def places_export(request: HttpRequest) -> HttpResponse:
    filters = _filters(f.PlaceFilterForm(request.GET))
    response, _count = xlsx_response(
        export_filename("公共场所"),
        lambda target: export_places(
            actor=request.actor, places=queries.places(**filters), filters=filters, target=target
        ),
    )
    return response


def _place(pk: int) -> PublicPlace:
    place = PublicPlace.objects.select_related("organisation").filter(pk=pk).first()
    if place is None:
        raise Http404
    return place


@staff_required
@require_GET
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = _place(pk)
    history = list(queries.history(place))
    latest = queries.scored_items(history[0]) if history else []
    plans = place.plans.select_related("done").order_by("-due_on")[:12]
    context = {"place": place, "history": history, "latest": latest, "plans": plans}
    return render(request, "hygiene/place.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def place_new(request: HttpRequest) -> HttpResponse:
    form = f.PlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            place = svc.register_place(actor=request.actor, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("已登记公共场所“%(name)s”。") % {"name": place.name})
            return redirect("hygiene:place", pk=place.pk)
    return render(request, "hygiene/place_form.html", {"form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def inspect(request: HttpRequest, pk: int) -> HttpResponse:
    place = _place(pk)
    items = list(SheetItem.objects.filter(sheet__place_type=place.place_type).order_by("seq"))
    staff = staff_of(request.user)
    initial = {"inspected_on": today(), "inspectors": staff.display_name if staff else ""}
    form = f.InspectionForm(request.POST or None, initial=initial, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = svc.record_inspection(
                actor=request.actor,
                place=place.pk,
                inspected_on=form.cleaned_data["inspected_on"],
                inspectors=form.cleaned_data["inspectors"],
                scores=form.scores(),
                key_failed=form.key_failed(),
                notes=form.cleaned_data["notes"],
                user_id=request.user.pk,
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(
                request,
                _("评分完成：标化总分 %(total)s，%(grade)s。")
                % {"total": inspection.total, "grade": inspection.get_grade_display()},
            )
            return redirect("hygiene:place", pk=place.pk)
    return render(request, "hygiene/inspect.html", {"form": form, "place": place})


def _month(request: HttpRequest) -> tuple[int, int]:
    text = request.GET.get("month", "")
    try:
        day = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        day = today()
    return day.year, day.month


@staff_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    year, month = _month(request)
    context = {
        "month": f"{year:04d}-{month:02d}",
        "year": year,
        "days": queries.month_calendar(year=year, month=month),
        "today": today(),
    }
    return render(request, "hygiene/calendar.html", context)


@staff_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.POST.get("year", ""))
        count = svc.generate_plan(actor=request.actor, year=year)
        messages.success(
            request, _("已生成%(year)s年检查计划，共 %(n)s 次。") % {"year": year, "n": count}
        )
    except ValueError:
        messages.error(request, _("年度无效。"))
    except ValidationError as e:
        messages.error(request, message_of(e))
    return redirect(f"{reverse('hygiene:calendar')}?month={request.POST.get('month', '')}")
