"""/api/v1/indicators/: the library, and an indicator's values for a unit and its children."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from bianmin.core.api import ScopedAPIView, error_responses
from bianmin.indicators import breakdowns, engine, library
from bianmin.indicators.library import BREAKDOWNS, KIND_LABELS, Indicator
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
    breakdowns = serializers.ListField(
        child=serializers.ChoiceField(choices=list(BREAKDOWNS)),
        help_text="values/?by= accepts these (centre 受理单位, department 办理部门, item 事项)",
    )


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
        "breakdowns": list(ind.breakdowns),
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


class ValueRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="区划/网格代码，或分列时的单位、部门、事项编码")
    name = serializers.CharField()
    level = serializers.CharField()
    numerator = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    denominator = serializers.DecimalField(
        max_digits=20, decimal_places=4, coerce_to_string=False, allow_null=True
    )
    value = serializers.DecimalField(
        max_digits=20, decimal_places=4, coerce_to_string=False, allow_null=True
    )


class ValuesSerializer(serializers.Serializer):
    indicator = IndicatorSerializer()
    period = serializers.CharField()
    by = serializers.CharField(allow_null=True, help_text="分列方式（未分列时为 null）")
    unit = ValueRowSerializer()
    children = ValueRowSerializer(
        many=True,
        help_text="下级单位；按 by 分列时为该区划内每个受理单位/办理部门/事项（空编码：未指定）",
    )


class IndicatorValuesView(ScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("org_unit", str, description="区划代码或网格编码", required=True),
            OpenApiParameter(
                "period",
                str,
                description="统计期：月 YYYY-MM、季 YYYY-Qn 或年 YYYY（季、年按整个期间计算）",
                required=True,
            ),
            OpenApiParameter(
                "by",
                str,
                enum=list(BREAKDOWNS),
                description=(
                    "分列：centre 按受理单位（365便民服务中心、便民服务室），"
                    "department 按办理部门，item 按事项；省略则列出下级单位。"
                    "只能用指标的 breakdowns 中列出的方式（否则 400 no_breakdown）"
                ),
            ),
        ],
        responses={200: ValuesSerializer, **error_responses(400, 403, 404)},
        tags=["indicators"],
    )
    def get(self, request, code: str):
        ind = _indicator(code)
        period = library.Period.parse(request.query_params.get("period", ""))
        place = unit_in_scope(request, request.query_params.get("org_unit", ""))
        by = request.query_params.get("by", "").strip()
        if by:
            return Response(_by_key(ind, place, period, by))
        got = engine.values(ind.code, division=place.code, period=period)
        names = {u.code: u for u in [place, *children(place)]}

        def row(u: Unit) -> dict:
            return {"code": u.code, "name": u.name, "level": u.level_label, **got[u.code].as_dict()}

        return Response(
            {
                "indicator": indicator_data(ind),
                "period": str(period),
                "by": None,
                "unit": row(place),
                "children": [row(u) for c, u in names.items() if c != place.code],
            }
        )


def _by_key(ind: Indicator, place: Unit, period: library.Period, by: str) -> dict:
    """The unit's figure, then one row per centre / department / item with rows in the unit."""
    total, rows = breakdowns.unit_breakdown(ind.code, by=by, division=place.code, period=period)
    level = str(BREAKDOWNS[by])
    return {
        "indicator": indicator_data(ind),
        "period": str(period),
        "by": by,
        "unit": {"code": place.code, "name": place.name, "level": place.level_label}
        | total.as_dict(),
        "children": [
            {"code": key, "name": name, "level": level, **value.as_dict()}
            for key, name, value in rows
        ],
    }
