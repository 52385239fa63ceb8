"""`/api/v1/health-records/`: a record by code, its FHIR R4 Bundle (GET export, POST import),
referrals. Scoped like the pages: the area's health team only; every read audited."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from bianmin.core.api import ScopedAPIView, error_responses
from bianmin.health import fhir, sharing
from bianmin.health.models import Referral
from bianmin.health.services import records


class RecordSerializer(serializers.Serializer):
    record_code = serializers.CharField()
    name = serializers.CharField(source="person.name")
    id_masked = serializers.CharField(source="person.id_masked")
    sex = serializers.CharField(source="person.sex")
    birth_date = serializers.DateField(source="person.birth_date")
    village = serializers.CharField(source="village_id")
    electronic = serializers.BooleanField()
    complete = serializers.BooleanField()
    status = serializers.CharField()
    close_reason = serializers.CharField()
    opened_on = serializers.DateField()
    conditions = serializers.SerializerMethodField()

    def get_conditions(self, record) -> list[dict]:
        return [
            {
                "icd10": c.icd10,
                "name": c.name,
                "category": c.category,
                "onset_on": c.onset_on.isoformat(),
                "status": c.status,
            }
            for c in record.conditions.all()
        ]


class RecordView(ScopedAPIView):
    @extend_schema(
        summary="按档案编号查阅健康档案",
        responses={200: RecordSerializer, **error_responses(403, 404)},
        tags=["health"],
    )
    def get(self, request, record_code: str):
        record = records.access_record(actor=request.actor, record_code=record_code)
        return Response(RecordSerializer(record).data)


class FhirView(ScopedAPIView):
    @extend_schema(
        summary="导出 FHIR R4 Bundle",
        responses={200: OpenApiTypes.OBJECT, **error_responses(403, 404)},
        tags=["health"],
    )
    def get(self, request, record_code: str):
        return Response(fhir.export_bundle(actor=request.actor, record_code=record_code))

    @extend_schema(
        summary="导入 FHIR R4 Bundle 到该档案",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, 403, 404)},
        tags=["health"],
    )
    def post(self, request, record_code: str):
        counts = fhir.import_bundle(actor=request.actor, record_code=record_code, data=request.data)
        return Response({"imported": counts})


class ReferralSerializer(serializers.ModelSerializer):
    record_code = serializers.CharField(source="record.record_code")
    # Plain codes, not enums: "status"/"direction" choice sets of other apps share the names.
    direction = serializers.CharField(help_text="up 上转 / down 下转")
    status = serializers.CharField(help_text="requested / accepted / completed / refused")

    class Meta:
        model = Referral
        fields = [
            "id",
            "record_code",
            "direction",
            "from_institution",
            "to_institution",
            "reason",
            "diagnosis_icd10",
            "status",
            "requested_on",
            "responded_on",
            "completed_on",
        ]


class ReferralListView(ScopedAPIView):
    @extend_schema(
        summary="双向转诊列表",
        responses={200: ReferralSerializer(many=True), **error_responses()},
        tags=["health"],
    )
    def get(self, request):
        items = Referral.objects.select_related("record").order_by("-requested_on", "-id")[:200]
        return Response(ReferralSerializer(items, many=True).data)


class SummaryView(ScopedAPIView):
    """健康档案摘要: the area's health team directly; anyone else through the sharing gate
    (grant and the resident's consent), `?purpose=` required there."""

    @extend_schema(
        summary="健康档案摘要（区域外经共享授权与本人同意）",
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, 403, 404)},
        tags=["health"],
    )
    def get(self, request, record_code: str):
        data = sharing.read_summary(
            actor=request.actor,
            record_code=record_code,
            purpose=request.query_params.get("purpose", ""),
        )
        return Response({"record_code": record_code, "summary": data})
