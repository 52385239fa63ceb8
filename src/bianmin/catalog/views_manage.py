"""The administrators' side of the catalogue (workbench): list, new item, revise an item.

Saving goes through `create_item` / `revise_item`, so the form can never write a version the
service would refuse, and every save is a new audited version.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bianmin.catalog.exports import export_items
from bianmin.catalog.forms import ItemForm, MaterialFormSet, StepFormSet, rows_of
from bianmin.catalog.models import ServiceItem
from bianmin.catalog.queries import get_item, item_versions, search_items
from bianmin.catalog.services import create_item, revise_item, snapshot
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.workbench.common import admin_required, apply_errors, paginate

# Service errors about the lists go above the matching table, not above the whole form.
_LIST_FIELDS = ("materials", "steps")


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:60]


@admin_required
def manage_list(request: HttpRequest) -> HttpResponse:
    q = _query(request)
    page = paginate(request, search_items(q=q))
    query = urlencode({"q": q}) if q else ""
    return render(request, "catalog/manage/list.html", {"page": page, "q": q, "query": query})


@admin_required
def manage_export(request: HttpRequest) -> HttpResponse:
    q = _query(request)
    response, _count = xlsx_response(
        export_filename("事项实施清单"),
        lambda target: export_items(
            actor=request.actor, items=search_items(q=q), filters={"q": q}, target=target
        ),
    )
    return response


def _split_errors(form: ItemForm, error: ValidationError) -> dict[str, list[str]]:
    """Field errors onto the form; material/step errors returned for their tables."""
    lists: dict[str, list[str]] = {}
    if hasattr(error, "error_dict"):
        rest = {}
        for field, errors in error.error_dict.items():
            if field in _LIST_FIELDS:
                lists[field] = [m for e in errors for m in e.messages]
            else:
                rest[field] = errors
        if rest:
            apply_errors(form, ValidationError(rest))
    else:
        apply_errors(form, error)
    return lists


def _editor(
    request: HttpRequest,
    *,
    item: ServiceItem | None,
    initial: dict[str, Any],
    materials: list[dict[str, Any]],
    steps: list[dict[str, Any]],
) -> HttpResponse:
    editing = item is not None
    list_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = ItemForm(request.POST, initial=initial, editing=editing)
        material_set = MaterialFormSet(request.POST, prefix="m", initial=materials)
        step_set = StepFormSet(request.POST, prefix="s", initial=steps)
        if form.is_valid() and material_set.is_valid() and step_set.is_valid():
            fields = form.item_fields()
            try:
                if editing:
                    saved = revise_item(
                        actor=request.actor,
                        code=item.code,
                        changes=fields,
                        materials=rows_of(material_set),
                        steps=rows_of(step_set),
                        note=form.cleaned_data["note"],
                    )
                else:
                    saved = create_item(
                        actor=request.actor,
                        code=form.cleaned_data["code"],
                        materials=rows_of(material_set),
                        steps=rows_of(step_set),
                        note=form.cleaned_data["note"],
                        **fields,
                    )
            except ValidationError as e:
                list_errors = _split_errors(form, e)
            else:
                messages.success(
                    request,
                    _("已保存“%(name)s”第 %(version)s 版。")
                    % {"name": saved.name, "version": saved.version},
                )
                return redirect("catalog:manage-edit", code=saved.code)
    else:
        form = ItemForm(initial=initial, editing=editing)
        material_set = MaterialFormSet(prefix="m", initial=materials)
        step_set = StepFormSet(prefix="s", initial=steps)
    context = {
        "form": form,
        "material_set": material_set,
        "step_set": step_set,
        "list_errors": list_errors,
        "item": item,
        "versions": item_versions(item.code) if item else [],
    }
    return render(request, "catalog/manage/edit.html", context)


@never_cache
@admin_required
def manage_create(request: HttpRequest) -> HttpResponse:
    initial = {"accept_levels": ["town"], "max_visits": 1, "fee": 0}
    return _editor(request, item=None, initial=initial, materials=[], steps=[])


@never_cache
@admin_required
def manage_edit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = get_item(code)
    except ServiceItem.DoesNotExist:
        raise Http404(_("没有该服务事项，或该事项没有现行版本。")) from None
    current = snapshot(item)
    initial = {**current.fields, "code": item.code}
    return _editor(
        request, item=item, initial=initial, materials=current.materials, steps=current.steps
    )
