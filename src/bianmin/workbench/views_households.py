"""户 pages: list and export, one household with its members, create, add a member."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bianmin.core.errors import OutOfScope
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.registry.exports import export_households, households_for_list
from bianmin.registry.models import Household, Person, Relationship
from bianmin.registry.queries import search_households
from bianmin.registry.services.people import (
    access_household,
    add_member,
    create_household,
    hash_of,
)
from bianmin.workbench.common import (
    COUNT_CAP,
    apply_errors,
    filters_of,
    list_page,
    paginate,
    planned_for_each_search,
    query_without_page,
    staff_required,
)
from bianmin.workbench.forms import AddMemberForm, HouseholdCreateForm, HouseholdSearchForm
from bianmin.workbench.views_people import code_lists, grid_options


def _search(request: HttpRequest):
    form = HouseholdSearchForm(request.GET or None, grids=grid_options())
    data: dict = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    return form, search_households(text=data.get("q", ""), grid=data.get("grid", ""))


@staff_required
def household_list(request: HttpRequest) -> HttpResponse:
    with planned_for_each_search():
        form, households = _search(request)
        page = paginate(request, households_for_list(households), count_cap=COUNT_CAP)
        context = {"form": form, "page": page, "query": query_without_page(request, form)}
        return list_page(
            request,
            "workbench/households/list.html",
            "workbench/households/partials/results.html",
            context,
        )


@staff_required
def household_export(request: HttpRequest) -> HttpResponse:
    form, households = _search(request)
    response, _count = xlsx_response(
        export_filename("户"),
        lambda target: export_households(
            actor=request.actor, households=households, filters=filters_of(form), target=target
        ),
    )
    return response


def _render_household(request: HttpRequest, household: Household, form=None) -> HttpResponse:
    members = list(household.members.select_related("grid").order_by("relationship", "birth_date"))
    head = next((m for m in members if m.relationship == Relationship.HEAD), None)
    context = {
        "household": household,
        "members": members,
        "head": head,
        "form": form or AddMemberForm(),
    }
    return render(request, "workbench/households/detail.html", context)


def _get_household(request: HttpRequest, pk: int) -> Household:
    try:
        return access_household(actor=request.actor, household_id=pk)
    except Household.DoesNotExist:
        raise Http404(_("没有该户。")) from None


@never_cache
@staff_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_household(request, _get_household(request, pk))


@require_POST
@staff_required
def household_add_member(request: HttpRequest, pk: int) -> HttpResponse:
    household = _get_household(request, pk)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            digest = hash_of(form.cleaned_data["id_number"])
        except ValidationError as e:
            form.add_error("id_number", e.messages)
        else:
            person = Person.objects.filter(id_hash=digest).first()
            if person is None:
                form.add_error(
                    "id_number",
                    _("人口库中没有该身份证号码的人员，或其不在您的管辖范围内。请先登记该人员。"),
                )
            else:
                try:
                    add_member(
                        actor=request.actor,
                        household=household,
                        person=person,
                        relationship=form.cleaned_data["relationship"],
                    )
                except ValidationError as e:
                    apply_errors(form, e)
                else:
                    messages.success(request, _("已将%(name)s加入本户。") % {"name": person.name})
                    return redirect("workbench:household", pk=pk)
    return _render_household(request, household, form)


@staff_required
def household_create(request: HttpRequest) -> HttpResponse:
    form = HouseholdCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = create_household(
                actor=request.actor,
                number=data["number"],
                division=data["division"],
                address=data["address"],
                grid=data["grid"] or None,
                household_type=data["household_type"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        except OutOfScope as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("已建立户：%(n)s") % {"n": household.number})
            return redirect("workbench:household", pk=household.pk)
    return render(
        request, "workbench/households/create.html", {"form": form, **code_lists(request)}
    )
