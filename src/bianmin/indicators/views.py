"""Staff pages: the library with its formulas, and one indicator's values for a unit and
month with drill-down into the units under it and to the rows (personal data masked)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bianmin.core.errors import message_of
from bianmin.indicators import engine, library
from bianmin.indicators.library import KIND_LABELS, Period
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


@staff_required
@require_GET
def values_page(request: HttpRequest) -> HttpResponse:
    indicators = library.all_indicators()
    code = request.GET.get("code") or (indicators[0].code if indicators else "")
    period_text = request.GET.get("period") or str(Period.of(timezone.localdate()))
    unit_code = request.GET.get("org_unit") or _home_code(request)
    part = request.GET.get("part", "")
    context = {
        "indicators": indicators,
        "code": code,
        "period": period_text,
        "org_unit": unit_code,
        "part": part,
    }
    try:
        ind = library.get(code)
        period = Period.parse(period_text)
        place = unit(unit_code)
        if not request.scope.covers(place.prefix):
            raise ValidationError(message_of_scope(), code="out_of_scope")
        got = engine.values(ind.code, division=place.code, period=period)
        subs = children(place)
        context.update(
            ind=ind,
            place=place,
            total=got[place.code],
            rows=[(u, got[u.code]) for u in subs],
        )
        if part:
            qs = engine.rows(ind.code, division=place.code, period=period, part=part)
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
