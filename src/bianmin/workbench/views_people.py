"""人口库 pages: search, export, create. The profile and its actions are in views_profile."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bianmin.core.errors import OutOfScope
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.registry.exports import export_people, people_with_tags, tag_names
from bianmin.registry.models import Division, DivisionLevel, Grid, Household, Person, Tag
from bianmin.registry.queries import search_people, visible_tags
from bianmin.registry.services.people import create_person
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
from bianmin.workbench.forms import PersonCreateForm, PersonSearchForm

# A select is handy for a community's handful of grids; beyond this a datalist is used.
GRID_SELECT_MAX = 200
DATALIST_MAX = 2000


def grid_options(limit: int = GRID_SELECT_MAX) -> list[Grid] | None:
    """Grids in scope for a filter select, or None when there are too many to list."""
    grids = list(Grid.objects.select_related("community")[: limit + 1])
    return grids if len(grids) <= limit else None


def code_lists(request: HttpRequest) -> dict[str, list]:
    """Communities and grids of the user's area, for the <datalist>s of code inputs."""
    prefix = request.scope.area_prefix or ""
    communities = Division.objects.filter(level=DivisionLevel.VILLAGE, prefix__startswith=prefix)
    return {
        "community_options": list(communities.values_list("code", "name")[:DATALIST_MAX]),
        "grid_options": list(
            Grid.objects.values_list("code", "name", "community__name")[:DATALIST_MAX]
        ),
    }


def _search(request: HttpRequest) -> tuple[PersonSearchForm, list[Tag], object]:
    tags = list(visible_tags())
    form = PersonSearchForm(request.GET or None, grids=grid_options(), tags=tags)
    data: dict = {}
    if form.is_bound:
        form.is_valid()  # an invalid filter shows its error; the valid ones still apply
        data = form.cleaned_data
    if form.is_bound and form.dropped:
        return form, tags, Person.objects.none()
    tag = next((t for t in tags if t.code == data.get("tag")), None)
    people = search_people(
        text=data.get("q", ""),
        grid=data.get("grid", ""),
        tag=tag,
        life_status=data.get("life_status", ""),
        residence_type=data.get("residence_type", ""),
    )
    return form, tags, people


@staff_required
def people_list(request: HttpRequest) -> HttpResponse:
    with planned_for_each_search():
        form, tags, people = _search(request)
        page = paginate(request, people_with_tags(people, tags), count_cap=COUNT_CAP)
        for person in page:
            person.tag_list = tag_names(person, tags, compact=True)
        context = {"form": form, "page": page, "query": query_without_page(request, form)}
        return list_page(
            request, "workbench/people/list.html", "workbench/people/partials/results.html", context
        )


@staff_required
def people_export(request: HttpRequest) -> HttpResponse:
    form, tags, people = _search(request)
    response, _count = xlsx_response(
        export_filename("人口库"),
        lambda target: export_people(
            actor=request.actor, people=people, tags=tags, filters=filters_of(form), target=target
        ),
    )
    return response


@staff_required
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        household = None
        number = data.pop("household_number")
        if number:
            household = Household.objects.filter(number=number).first()
            if household is None:
                form.add_error("household_number", _("户号不存在或不在您的管辖范围内。"))
        if not form.errors:
            try:
                person = create_person(
                    actor=request.actor,
                    household=household,
                    grid=data.pop("grid") or None,
                    residence_division=data.pop("residence_division") or None,
                    registered_division=data.pop("registered_division") or None,
                    **data,
                )
            except ValidationError as e:
                apply_errors(form, e)
            except OutOfScope as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, _("已登记到人口库：%(name)s") % {"name": person.name})
                return redirect("workbench:person", pk=person.pk)
    context = {"form": form, **code_lists(request)}
    return render(request, "workbench/people/create.html", context)
