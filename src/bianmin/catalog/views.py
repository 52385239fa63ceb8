"""Public catalogue pages: the list of items and the printable service guide (办事指南).

No sign-in: residents read guides before they come (and at a kiosk in the hall). The pages
show published catalogue data only, never anything about a person.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bianmin.catalog.forms import CatalogSearchForm
from bianmin.catalog.models import Bundle, ServiceItem
from bianmin.catalog.queries import (
    bundles,
    get_bundle,
    get_item,
    item_versions,
    merged_materials,
    search_items,
    step_groups,
    step_total_days,
)
from bianmin.workbench.common import list_page, paginate, query_without_page


def catalog_index(request: HttpRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET or None)
    items = search_items(**form.filters())
    context = {
        "form": form,
        "page": paginate(request, items),
        "query": query_without_page(request, form),
        "bundles": bundles(),
    }
    return list_page(request, "catalog/index.html", "catalog/partials/item_results.html", context)


def item_guide(request: HttpRequest, code: str) -> HttpResponse:
    raw = request.GET.get("version", "")
    if raw and not raw.isdigit():
        raise Http404(_("版本号应为数字。"))
    try:
        item = get_item(code, int(raw) if raw else None)
    except ServiceItem.DoesNotExist:
        raise Http404(_("没有该服务事项，或该版本不存在。")) from None
    versions = item_versions(code)
    context = {
        "item": item,
        "groups": step_groups(item),
        "process_days": step_total_days(item),
        "versions": versions,
        "current_version": next((v.version for v in versions if v.is_current), None),
    }
    return render(request, "catalog/guide.html", context)


def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        view = get_bundle(code)
    except Bundle.DoesNotExist:
        raise Http404(_("没有该多证联办事项。")) from None
    context = {"view": view, "materials": merged_materials(view.items)}
    return render(request, "catalog/bundle.html", context)
