"""/api/v1/ledger/ — report templates, reports, their cells, submission and review.

Each write is one service call; lists and look-ups go through the scoped `Report.objects`, so
a report outside the caller's area is 404. Bad input answers 400 with a stable `code`
(unknown_indicator, not_integer, above_max, period_not_over, cells_missing, frozen …); a
reviewer who is not the level above 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from bianmin.core.api import ScopedGenericViewSet, error_responses
from bianmin.ledger import queries, services
from bianmin.ledger.models import Report, ReportTemplate
from bianmin.ledger.services.templates import may_design
from bianmin.ledger.tables import build_table
from bianmin.registry.models import Division


class LedgerColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="列代码（小写字母开头）")
    label = serializers.CharField(help_text="列名")
    source = serializers.CharField(
        help_text="indicator（指标）/ manual（手工填报）/ row（各行指标）"
    )
    indicator = serializers.CharField(required=False, allow_blank=True, help_text="指标代码")
    type = serializers.CharField(required=False, help_text="int / decimal / text / choice")
    unit = serializers.CharField(required=False, allow_blank=True)
    min = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    max = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    required = serializers.BooleanField(required=False, default=False)
    choices = serializers.ListField(child=serializers.CharField(), required=False)
    decimals = serializers.IntegerField(required=False)


class LedgerTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField()
    name = serializers.CharField()
    frequency = serializers.CharField(help_text="monthly / quarterly / yearly")
    row_kind = serializers.CharField(
        help_text="units（下级单位）/ categories（分类）/ periods（逐月）"
    )
    columns = LedgerColumnSerializer(many=True)
    headings = serializers.ListField(
        child=serializers.ListField(child=serializers.DictField()), required=False
    )
    categories = serializers.ListField(child=serializers.DictField(), required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(read_only=True)
    active = serializers.BooleanField(read_only=True)


class LedgerCellSerializer(serializers.Serializer):
    row = serializers.CharField()
    column = serializers.CharField()
    value = serializers.CharField(allow_blank=True, allow_null=True)
    source = serializers.CharField(read_only=True, help_text="computed / manual")
    entered_by = serializers.CharField(read_only=True)
    live = serializers.CharField(read_only=True, allow_null=True)
    changed = serializers.BooleanField(read_only=True)


class LedgerReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    template = serializers.CharField(source="template.code")
    template_version = serializers.IntegerField()
    name = serializers.CharField(source="layout.name")
    division = serializers.CharField(source="area_code")
    division_name = serializers.CharField(source="division.name")
    period = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField()


class LedgerReportDetailSerializer(LedgerReportSerializer):
    columns = serializers.ListField(child=serializers.DictField())
    rows = serializers.ListField(child=serializers.DictField())
    cells = LedgerCellSerializer(many=True)
    missing = serializers.IntegerField()


class LedgerOpenSerializer(serializers.Serializer):
    template = serializers.CharField(help_text="模板编码")
    division = serializers.CharField(help_text="填报单位区划代码")
    period = serializers.CharField(help_text="所属期：2026-10 / 2026-Q3 / 2026")


class LedgerCellsInput(serializers.Serializer):
    cells = serializers.ListField(child=serializers.DictField(), help_text="[{row, column, value}]")


class LedgerReturnInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class LedgerReportFilter(serializers.Serializer):
    template = serializers.CharField(required=False)
    status = serializers.CharField(
        required=False, help_text="draft / submitted / returned / approved"
    )
    period = serializers.CharField(required=False)
    inbox = serializers.BooleanField(required=False, help_text="只列待我审核的")


def _valid(serializer_class, data) -> dict[str, Any]:
    form = serializer_class(data=data)
    form.is_valid(raise_exception=True)
    return form.validated_data


def _template_data(t: ReportTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "code": t.code,
        "name": t.name,
        "frequency": t.frequency,
        "row_kind": t.row_kind,
        "columns": t.columns,
        "headings": t.headings,
        "categories": t.categories,
        "notes": t.notes,
        "version": t.version,
        "active": t.active,
    }


def _plain(value) -> str | None:
    return None if value is None else str(value)


def report_data(report: Report, *, detail: bool = False) -> dict[str, Any]:
    data = LedgerReportSerializer(report).data
    if not detail:
        return data
    table = build_table(report)
    cells = []
    for row, pairs in table.grid():
        for column, cell in pairs:
            cells.append(
                {
                    "row": row.key,
                    "column": column["key"],
                    "value": _plain(cell.value),
                    "source": "manual" if cell.manual else ("computed" if cell.computed else ""),
                    "entered_by": cell.entered_by,
                    "live": _plain(cell.live),
                    "changed": cell.changed,
                }
            )
    data.update(
        columns=table.columns,
        rows=[{"key": r.key, "label": r.label, "total": r.is_total} for r in table.rows],
        cells=cells,
        missing=len(table.missing),
    )
    return data


@extend_schema(tags=["ledger"])
class TemplateViewSet(ScopedGenericViewSet):
    queryset = ReportTemplate.objects.none()
    serializer_class = LedgerTemplateSerializer
    lookup_field = "code"

    @extend_schema(summary="报表模板列表", responses={200: LedgerTemplateSerializer(many=True)})
    def list(self, request):
        return Response([_template_data(t) for t in ReportTemplate.objects.order_by("code")])

    @extend_schema(
        summary="一个报表模板", responses={200: LedgerTemplateSerializer, **error_responses(404)}
    )
    def retrieve(self, request, code=None):
        return Response(_template_data(get_object_or_404(ReportTemplate, code=code)))

    def _save(self, request, template):
        if not may_design(request.user):
            raise PermissionDenied()
        data = _valid(LedgerTemplateSerializer, request.data)
        saved = services.save_template(
            actor=request.actor,
            user=request.user,
            template=template,
            code=data["code"],
            name=data["name"],
            frequency=data["frequency"],
            row_kind=data["row_kind"],
            columns=[dict(c) for c in data["columns"]],
            headings=data.get("headings") or [],
            categories=data.get("categories") or [],
            notes=data.get("notes", ""),
        )
        return _template_data(saved)

    @extend_schema(
        summary="新建报表模板（引用不存在的指标等：400 unknown_indicator）",
        request=LedgerTemplateSerializer,
        responses={201: LedgerTemplateSerializer, **error_responses(400, 403)},
    )
    def create(self, request):
        return Response(self._save(request, None), status=201)

    @extend_schema(
        summary="修改报表模板（生成新版本；已建立的报表保持原格式）",
        request=LedgerTemplateSerializer,
        responses={200: LedgerTemplateSerializer, **error_responses(400, 403, 404)},
    )
    def update(self, request, code=None):
        return Response(self._save(request, get_object_or_404(ReportTemplate, code=code)))


@extend_schema(tags=["ledger"])
class ReportViewSet(ScopedGenericViewSet):
    queryset = Report.objects.none()
    serializer_class = LedgerReportSerializer

    def _report(self, pk) -> Report:
        return get_object_or_404(queries.reports(), pk=pk)

    @extend_schema(
        summary="报表列表（管辖范围内）",
        parameters=[LedgerReportFilter],
        responses={200: LedgerReportSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        params = _valid(LedgerReportFilter, request.query_params)
        qs = queries.inbox(request.user) if params.get("inbox") else queries.reports()
        if params.get("template"):
            qs = qs.filter(template__code=params["template"])
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("period"):
            qs = qs.filter(period=params["period"])
        return Response([report_data(r) for r in qs[:500]])

    @extend_schema(
        summary="开始填报：某单位某期的报表（已有则返回已有的）",
        request=LedgerOpenSerializer,
        responses={201: LedgerReportDetailSerializer, **error_responses(400, 403, 404)},
    )
    def create(self, request):
        data = _valid(LedgerOpenSerializer, request.data)
        template = get_object_or_404(ReportTemplate, code=data["template"])
        division = get_object_or_404(Division, code=data["division"])
        report = services.open_report(
            actor=request.actor, template=template, division=division, period=data["period"]
        )
        return Response(report_data(report, detail=True), status=201)

    @extend_schema(
        summary="报表及其全部格子（自动提取、手工填报；已上报的附当前数据与是否变化）",
        responses={200: LedgerReportDetailSerializer, **error_responses(404)},
    )
    def retrieve(self, request, pk=None):
        return Response(report_data(self._report(pk), detail=True))

    @extend_schema(
        summary="填写手工填报格子（一格有误则全部不保存；已上报的报表：400 frozen）",
        request=LedgerCellsInput,
        responses={200: LedgerReportDetailSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["post"])
    def cells(self, request, pk=None):
        report = self._report(pk)
        data = _valid(LedgerCellsInput, request.data)
        values = {
            (str(c.get("row", "")), str(c.get("column", ""))): c.get("value") for c in data["cells"]
        }
        services.fill_cells(actor=request.actor, user=request.user, report=report, values=values)
        return Response(report_data(self._report(pk), detail=True))

    @extend_schema(
        summary="上报（期间未结束：period_not_over；必填未填：cells_missing）",
        request=None,
        responses={200: LedgerReportDetailSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        services.submit(actor=request.actor, user=request.user, report=self._report(pk))
        return Response(report_data(self._report(pk), detail=True))

    @extend_schema(
        summary="审核通过（上一级单位）",
        request=None,
        responses={200: LedgerReportSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        report = services.approve(actor=request.actor, user=request.user, report=self._report(pk))
        return Response(report_data(report))

    @extend_schema(
        summary="退回（须写明原因；退回后解冻，可修改后重新上报）",
        request=LedgerReturnInput,
        responses={200: LedgerReportSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = _valid(LedgerReturnInput, request.data)
        report = services.return_report(
            actor=request.actor, user=request.user, report=self._report(pk), reason=data["reason"]
        )
        return Response(report_data(report))
