"""事项清单 API: read-only and public (the catalogue is published information; residents'
apps and other departments' systems read it without an account)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from bianmin.catalog import queries
from bianmin.catalog.models import (
    AcceptLevel,
    Bundle,
    ItemType,
    Material,
    ProcessStep,
    ServiceItem,
)
from bianmin.catalog.sources import source_label
from bianmin.core.api import ScopedGenericViewSet, error_responses


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MaterialSerializer(serializers.ModelSerializer):
    form_label = serializers.CharField(source="get_form_display")
    requirement_label = serializers.CharField(source="get_requirement_display")
    shared_source_label = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = [
            "seq",
            "code",
            "name",
            "form",
            "form_label",
            "copies",
            "requirement",
            "requirement_label",
            "condition",
            "essential",
            "source_note",
            "sample",
            "common_mistakes",
            "shared_source",
            "shared_source_label",
        ]

    def get_shared_source_label(self, obj: Material) -> str:
        return source_label(obj.shared_source)


class StepSerializer(serializers.ModelSerializer):
    department = DepartmentRefSerializer()
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = ProcessStep
        fields = ["seq", "name", "kind", "kind_label", "department", "parallel_group", "limit_days"]


class ItemSummarySerializer(serializers.ModelSerializer):
    item_type_label = serializers.CharField(source="get_item_type_display")
    department = DepartmentRefSerializer()
    accept_levels = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "version",
            "name",
            "item_type",
            "item_type_label",
            "applicant_kind",
            "department",
            "accept_levels",
            "statutory_limit_days",
            "promised_limit_days",
            "online",
            "max_visits",
            "allows_deficiency",
            "fee",
        ]


class ItemDetailSerializer(ItemSummarySerializer):
    materials = MaterialSerializer(many=True)
    steps = StepSerializer(many=True)
    eligible_tags = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta(ItemSummarySerializer.Meta):
        fields = [
            *ItemSummarySerializer.Meta.fields,
            "is_current",
            "legal_basis",
            "conditions",
            "fee_basis",
            "place",
            "hours",
            "consult_phone",
            "complaint_phone",
            "result_name",
            "result_certificate_type",
            "eligible_min_age",
            "eligible_tags",
            "change_note",
            "created_at",
            "materials",
            "steps",
        ]


class ItemFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, help_text="事项名称、编码或部门名称")
    department = serializers.CharField(required=False, help_text="实施部门代码，如 MZ")
    type = serializers.ChoiceField(choices=ItemType.choices, required=False)
    level = serializers.ChoiceField(choices=AcceptLevel.choices, required=False)
    online = serializers.BooleanField(required=False, allow_null=True, default=None)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="历史版本号；不填为现行版本"
    )


class BundleItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    department = DepartmentRefSerializer()
    promised_limit_days = serializers.IntegerField()


class BundleSerializer(serializers.Serializer):
    code = serializers.CharField(source="bundle.code")
    name = serializers.CharField(source="bundle.name")
    description = serializers.CharField(source="bundle.description")
    items = BundleItemSerializer(many=True)
    promised_limit_days = serializers.IntegerField(help_text="各事项并联办理，按最长的计")


@extend_schema(tags=["catalog"])
class ServiceItemViewSet(ScopedGenericViewSet):
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}"
    serializer_class = ItemSummarySerializer
    queryset = ServiceItem.objects.none()  # for the schema; the views use `queries`

    @extend_schema(
        summary="事项清单（现行版本）",
        parameters=[ItemFilterSerializer],
        responses={200: ItemSummarySerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        params = ItemFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        qs = queries.search_items(
            q=f.get("q", ""),
            department=f.get("department", ""),
            item_type=f.get("type", ""),
            level=f.get("level", ""),
            online=f.get("online"),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ItemSummarySerializer(page, many=True).data)

    @extend_schema(
        summary="办事指南：一个事项的材料、环节和时限",
        parameters=[VersionSerializer],
        responses={200: ItemDetailSerializer, **error_responses(400, 404)},
    )
    def retrieve(self, request, code: str):
        params = VersionSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        item = queries.get_item(code, params.validated_data.get("version"))
        return Response(ItemDetailSerializer(item).data)


@extend_schema(tags=["catalog"])
class BundleViewSet(ScopedGenericViewSet):
    permission_classes = [AllowAny]
    serializer_class = BundleSerializer
    queryset = Bundle.objects.none()
    pagination_class = None  # a handful of bundles: one answer

    @extend_schema(
        summary="多证联办（启用中的）",
        responses={200: BundleSerializer(many=True), **error_responses()},
    )
    def list(self, request):
        return Response(BundleSerializer(queries.bundles(), many=True).data)
