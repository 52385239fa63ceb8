"""/api/v1/sharing/: the catalogue, requests and grants, consents, the access log and the
materials statistics. Writes go through `sharing.services`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from bianmin.core.api import ScopedAPIView, error_responses
from bianmin.sharing import queries, services
from bianmin.sharing.models import AccessRequest, Consent, DataAccess, Grant, SharedDataItem


def _staff(request):
    return getattr(request.user, "staff", None)


class SharedItemSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    has_provider = serializers.BooleanField(read_only=True)

    class Meta:
        model = SharedDataItem
        fields = ["code", "name", "owner", "owner_name", "sensitivity", "fields", "has_provider"]


class SharingRequestSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "department",
            "department_name",
            "item",
            "item_name",
            "purpose",
            "scope_prefix",
            "requested_until",
            "status",
            "reason",
            "requested_at",
            "decided_at",
        ]


class SharingRequestInputSerializer(serializers.Serializer):
    item = serializers.CharField()
    purpose = serializers.CharField(max_length=200)
    scope_prefix = serializers.CharField(max_length=14)
    requested_until = serializers.DateField()
    department = serializers.CharField(required=False, help_text="仅系统管理员代部门申请时填写")


class SharingDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    until = serializers.DateField(required=False, help_text="同意时可缩短期限")
    scope_prefix = serializers.CharField(required=False, max_length=14)


class SharingGrantSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Grant
        fields = [
            "id",
            "request",
            "department",
            "department_name",
            "item",
            "item_name",
            "scope_prefix",
            "valid_from",
            "valid_until",
            "revoked_at",
            "revoke_reason",
            "state",
        ]

    def get_state(self, obj: Grant) -> str:
        return queries.grant_state(obj)


class SharingConsentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "person",
            "person_name",
            "item",
            "item_name",
            "department",
            "granted_at",
            "withdrawn_at",
        ]


class DataAccessSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True, default="")
    case_no = serializers.CharField(source="case.case_no", read_only=True, default="")
    person_masked = serializers.CharField(source="person.id_masked", read_only=True, default="")

    class Meta:
        model = DataAccess
        fields = [
            "id",
            "at",
            "actor_name",
            "org_unit_code",
            "department",
            "department_name",
            "item_code",
            "item_name",
            "person",
            "person_masked",
            "purpose",
            "case_no",
            "outcome",
            "reason_code",
            "reason",
        ]


class MaterialsStatsRowSerializer(serializers.Serializer):
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    satisfied = serializers.IntegerField()
    from_shared_data = serializers.IntegerField()
    from_certificates = serializers.IntegerField()
    cases = serializers.IntegerField()
    not_found = serializers.IntegerField()


class MaterialsStatsSerializer(serializers.Serializer):
    month = serializers.CharField()
    total = serializers.IntegerField()
    items = MaterialsStatsRowSerializer(many=True)


@extend_schema(tags=["sharing"])
class CatalogueView(ScopedAPIView):
    serializer_class = SharedItemSerializer

    @extend_schema(summary="共享数据目录", responses={200: SharedItemSerializer(many=True)})
    def get(self, request):
        return Response(SharedItemSerializer(queries.catalogue(), many=True).data)


@extend_schema(tags=["sharing"])
class RequestListView(ScopedAPIView):
    serializer_class = SharingRequestSerializer

    @extend_schema(
        summary="共享申请（本部门提出的和向本部门提出的）",
        responses={200: SharingRequestSerializer(many=True)},
    )
    def get(self, request):
        rows = queries.requests_for(_staff(request))[:500]
        return Response(SharingRequestSerializer(rows, many=True).data)

    @extend_schema(
        summary="提出共享申请",
        request=SharingRequestInputSerializer,
        responses={201: SharingRequestSerializer, **error_responses(400, 403)},
    )
    def post(self, request):
        data = SharingRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        req = services.request_access(
            actor=request.actor,
            item_code=v["item"],
            purpose=v["purpose"],
            scope_prefix=v["scope_prefix"],
            until=v["requested_until"],
            department_code=v.get("department"),
        )
        return Response(SharingRequestSerializer(req).data, status=201)


@extend_schema(tags=["sharing"])
class DecideView(ScopedAPIView):
    serializer_class = SharingDecisionSerializer
    verdict = "approve"

    @extend_schema(
        summary="审批共享申请（数据提供部门）",
        request=SharingDecisionSerializer,
        responses={200: SharingRequestSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request, pk: int):
        req = get_object_or_404(AccessRequest.objects.select_related("item__owner"), pk=pk)
        visible = queries.requests_for(_staff(request)).filter(pk=pk).exists()
        if not visible:
            raise PermissionDenied(_("只有数据提供部门可以审批。"))
        data = SharingDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if self.verdict == "approve":
            services.approve(
                actor=request.actor,
                request=req,
                until=v.get("until"),
                scope_prefix=v.get("scope_prefix"),
                reason=v.get("reason", ""),
            )
        else:
            services.refuse(actor=request.actor, request=req, reason=v.get("reason", ""))
        req.refresh_from_db()
        return Response(SharingRequestSerializer(req).data)


class RefuseView(DecideView):
    verdict = "refuse"


@extend_schema(tags=["sharing"])
class GrantListView(ScopedAPIView):
    serializer_class = SharingGrantSerializer

    @extend_schema(summary="共享授权", responses={200: SharingGrantSerializer(many=True)})
    def get(self, request):
        rows = queries.grants_for(_staff(request))[:500]
        return Response(SharingGrantSerializer(rows, many=True).data)


@extend_schema(tags=["sharing"])
class RevokeView(ScopedAPIView):
    serializer_class = SharingDecisionSerializer

    @extend_schema(
        summary="撤销共享授权（数据提供部门）",
        request=SharingDecisionSerializer,
        responses={200: SharingGrantSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request, pk: int):
        grant = get_object_or_404(queries.grants_for(_staff(request)), pk=pk)
        data = SharingDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.revoke(
            actor=request.actor, grant=grant, reason=data.validated_data.get("reason", "")
        )
        return Response(SharingGrantSerializer(grant).data)


@extend_schema(tags=["sharing"])
class ConsentListView(ScopedAPIView):
    serializer_class = SharingConsentSerializer

    @extend_schema(
        summary="本人授权记录（限本人管辖范围）",
        parameters=[OpenApiParameter("item", str, description="数据项代码")],
        responses={200: SharingConsentSerializer(many=True)},
    )
    def get(self, request):
        qs = Consent.objects.select_related("person", "item")
        if request.query_params.get("item"):
            qs = qs.filter(item_id=request.query_params["item"])
        return Response(SharingConsentSerializer(qs[:500], many=True).data)


@extend_schema(tags=["sharing"])
class AccessLogView(ScopedAPIView):
    serializer_class = DataAccessSerializer

    @extend_schema(
        summary="数据调用记录（监察人员、系统管理员；限管辖范围）",
        parameters=[
            OpenApiParameter("item", str, description="数据项代码"),
            OpenApiParameter("outcome", str, enum=["allowed", "not_found", "denied"]),
        ],
        responses={200: DataAccessSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        staff = _staff(request)
        if not request.user.is_superuser and (staff is None or staff.role not in queries.LOG_ROLES):
            raise PermissionDenied(_("只有监察人员和系统管理员可以查看数据调用记录。"))
        qs = queries.access_log(
            item_code=request.query_params.get("item", ""),
            outcome=request.query_params.get("outcome", ""),
        )
        return Response(DataAccessSerializer(qs[:500], many=True).data)


@extend_schema(tags=["sharing"])
class MaterialsStatsView(ScopedAPIView):
    serializer_class = MaterialsStatsSerializer

    @extend_schema(
        summary="各事项每月经共享获取的材料数（限管辖范围）",
        parameters=[OpenApiParameter("month", str, required=True, description="YYYY-MM")],
        responses={200: MaterialsStatsSerializer, **error_responses(400)},
    )
    def get(self, request):
        month = request.query_params.get("month", "")
        try:
            rows = queries.materials_stats(month)
        except ValueError:
            raise DRFValidationError(
                {"month": [_("月份格式应为 YYYY-MM。")]}, code="invalid_month"
            ) from None
        return Response({"month": month, "total": sum(r["satisfied"] for r in rows), "items": rows})
