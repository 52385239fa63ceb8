"""Staff pages: the library with its formulas, and one indicator's values for a unit and a
month, quarter or year — by the units under it, or by centre / department / item where the
indicator offers it (the same call as the API's `by=`) — with drill-down to the rows (personal
data masked)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bianmin.core.errors import message_of
from bianmin.indicators import breakdowns, engine, library
from bianmin.indicators.library import CENTRE, DEPARTMENT, ITEM, KIND_LABELS
from bianmin.indicators.selector import period_choices, selected_period
from bianmin.indicators.units import children, unit
from bianmin.workbench.common import staff_required

ROW_LIMIT = 200


@staff_required
@require_GET
def library_page(request: HttpRequest) -> HttpResponse:
    groups: dict[str, list] = {}
    for ind in library.all_indicators():
        groups.setdefault(str(ind.category) or ind.source, []).append(
            {"ind": ind, "kind": KIND_LABELS[ind.kind]}
        )
    return render(request, "indicators/library.html", {"groups": groups})


def _home_code(request: HttpRequest) -> str:
    from bianmin.registry.models import Division

    prefix = request.scope.area_prefix or ""
    div = Division.objects.filter(prefix=prefix).first() if prefix else None
    if div is not None:
        return div.code
    from bianmin.indicators.services import home_city

    return home_city()


# The page's breakdown selector: by area (the units under the unit), or by the keys an
# indicator offers (library.BREAKDOWNS), the same call as the API's `by=`.
BY_LABELS = {
    "": gettext_lazy("按区划"),
    CENTRE: gettext_lazy("按服务中心"),
    DEPARTMENT: gettext_lazy("按部门"),
    ITEM: gettext_lazy("按事项"),
}


@staff_required
@require_GET
def values_page(request: HttpRequest) -> HttpResponse:
    indicators = library.all_indicators()
    today = timezone.localdate()
    code = request.GET.get("code") or (indicators[0].code if indicators else "")
    period, period_error = selected_period(request.GET.get("period"), today)
    unit_code = request.GET.get("org_unit") or _home_code(request)
    part = request.GET.get("part", "")
    by = request.GET.get("by", "").strip()
    key = request.GET.get("key")
    context = {
        "indicators": indicators,
        "code": code,
        "period": period,
        "period_choices": period_choices(period, today),
        "org_unit": unit_code,
        "part": part,
        "by": by,
        "key": key,
        "by_choices": [("", BY_LABELS[""])],
    }
    try:
        if period_error:
            raise ValidationError(period_error, code="invalid_period")
        ind = library.get(code)
        context["by_choices"] += [(b, BY_LABELS[b]) for b in ind.breakdowns]
        place = unit(unit_code)
        if not request.scope.covers(place.prefix):
            raise ValidationError(message_of_scope(), code="out_of_scope")
        context.update(ind=ind, place=place)
        if by:
            total, keyed = breakdowns.unit_breakdown(
                ind.code, by=by, division=place.code, period=period
            )
            context.update(total=total, keyed=keyed, by_label=library.BREAKDOWNS[by])
        else:
            got = engine.values(ind.code, division=place.code, period=period)
            context.update(total=got[place.code], rows=[(u, got[u.code]) for u in children(place)])
        if part:
            qs = engine.rows(
                ind.code,
                division=place.code,
                period=period,
                part=part,
                # A row of the breakdown drills into its key's rows; the total into all.
                by=by if by and key is not None else None,
                key=key if by else None,
            )
            context["records"] = [_record(obj) for obj in qs[:ROW_LIMIT]]
            context["records_total"] = qs.count()
            context["row_limit"] = ROW_LIMIT
    except ValidationError as e:
        context["error"] = message_of(e)
    return render(request, "indicators/values.html", context)


def message_of_scope() -> str:
    from django.utils.translation import gettext as _

    return _("该区划不在您的管辖范围内。")


def _record(obj) -> dict:
    """One drill-down row, masked: a number and a label, never an ID or phone number."""
    from bianmin.core.masking import mask_text

    label = mask_text(str(obj))
    area = getattr(obj, "area_code", "") or getattr(getattr(obj, "case", None), "area_code", "")
    return {"pk": obj.pk, "label": label, "area": area, "model": obj._meta.verbose_name}
