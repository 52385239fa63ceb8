"""法人库 pages: list and export, one organisation, register a new one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bianmin.core.errors import OutOfScope
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.registry.exports import export_organisations
from bianmin.registry.models import Organisation
from bianmin.registry.queries import search_organisations
from bianmin.registry.services.organisations import access_organisation, create_organisation
from bianmin.workbench.common import (
    apply_errors,
    filters_of,
    list_page,
    paginate,
    query_without_page,
    staff_required,
)
from bianmin.workbench.forms import OrganisationCreateForm, OrganisationSearchForm
from bianmin.workbench.views_people import code_lists


def _search(request: HttpRequest):
    categories = (
        Organisation.objects.order_by("org_category")
        .values_list("org_category", flat=True)
        .distinct()
    )
    form = OrganisationSearchForm(request.GET or None, categories=list(categories))
    data: dict = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    orgs = search_organisations(text=data.get("q", ""), category=data.get("category", ""))
    return form, orgs


@staff_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form, orgs = _search(request)
    page = paginate(request, orgs.select_related("legal_rep", "division"))
    context = {"form": form, "page": page, "query": query_without_page(request, form)}
    return list_page(
        request,
        "workbench/organisations/list.html",
        "workbench/organisations/partials/results.html",
        context,
    )


@staff_required
def organisation_export(request: HttpRequest) -> HttpResponse:
    form, orgs = _search(request)
    response, _count = xlsx_response(
        export_filename("法人库"),
        lambda target: export_organisations(
            actor=request.actor, organisations=orgs, filters=filters_of(form), target=target
        ),
    )
    return response


@never_cache
@staff_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        org = access_organisation(actor=request.actor, organisation_id=pk)
    except Organisation.DoesNotExist:
        raise Http404(_("法人库中没有该单位。")) from None
    return render(request, "workbench/organisations/detail.html", {"org": org})


@staff_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = create_organisation(
                actor=request.actor,
                credit_code=data["credit_code"],
                name=data["name"],
                division=data["division"] or None,
                address=data["address"],
                phone=data["phone"],
                established=data["established"],
                legal_rep_id_number=data["legal_rep_id_number"] or None,
            )
        except ValidationError as e:
            apply_errors(form, e)
        except OutOfScope as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("已登记到法人库：%(name)s") % {"name": org.name})
            return redirect("workbench:organisation", pk=org.pk)
    return render(
        request, "workbench/organisations/create.html", {"form": form, **code_lists(request)}
    )
