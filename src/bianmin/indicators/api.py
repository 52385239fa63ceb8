"""/api/v1/indicators/: the library, and an indicator's values for a unit and its children."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from bianmin.core.api import ScopedAPIView, error_responses
from bianmin.indicators import engine, library
from bianmin.indicators.library import KIND_LABELS, Indicator
from bianmin.indicators.units import Unit, children, unit


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    formula = serializers.CharField()
    category = serializers.CharField()
    source = serializers.CharField()


def indicator_data(ind: Indicator) -> dict:
    return {
        "code": ind.code,
        "name": str(ind.name),
        "unit": str(ind.unit),
        "kind": ind.kind,
        "kind_display": str(KIND_LABELS[ind.kind]),
        "formula": str(ind.formula),
        "category": str(ind.category),
        "source": ind.source,
    }


def _indicator(code: str) -> Indicator:
    if not library.exists(code):
        raise exceptions.NotFound(
            _("指标“%(code)s”不存在。") % {"code": code}, code="unknown_indicator"
        )
    return library.get(code)


def unit_in_scope(request, code: str) -> Unit:
    """The unit named by the request, which the viewer's scope must cover (403 otherwise)."""
    if not (code or "").strip():
        raise ValidationError(_("请指定区划或网格代码（org_unit）。"), code="org_unit_required")
    place = unit(code)
    scope = request.scope
    if scope.denied or not place.prefix.startswith(scope.area_prefix or ""):
        raise PermissionDenied(_("该区划不在您的管辖范围内。"))
    return place


class IndicatorListView(ScopedAPIView):
    @extend_schema(responses={200: IndicatorSerializer(many=True)}, tags=["indicators"])
    def get(self, request):
        return Response([indicator_data(i) for i in library.all_indicators()])


class IndicatorDetailView(ScopedAPIView):
    @extend_schema(
        responses={200: IndicatorSerializer, **error_responses(404)}, tags=["indicators"]
    )
    def get(self, request, code: str):
        return Response(indicator_data(_indicator(code)))


class IndicatorValuesView(ScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("org_unit", str, description="区划代码或网格编码", required=True),
            OpenApiParameter("period", str, description="统计期 YYYY-MM", required=True),
        ],
        responses={200: dict, **error_responses(400, 403, 404)},
        tags=["indicators"],
    )
    def get(self, request, code: str):
        ind = _indicator(code)
        period = library.Period.parse(request.query_params.get("period", ""))
        place = unit_in_scope(request, request.query_params.get("org_unit", ""))
        got = engine.values(ind.code, division=place.code, period=period)
        names = {u.code: u for u in [place, *children(place)]}

        def row(u: Unit) -> dict:
            return {"code": u.code, "name": u.name, "level": u.level_label, **got[u.code].as_dict()}

        return Response(
            {
                "indicator": indicator_data(ind),
                "period": str(period),
                "unit": row(place),
                "children": [row(u) for c, u in names.items() if c != place.code],
            }
        )
