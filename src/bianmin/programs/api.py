"""/api/v1/programs/ — programs, enrolments, visits, the due list and coverage, scoped like
every API view. Writes go through the services; their ValidationErrors become 400s."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from bianmin.core.api import ScopedAPIView, ScopedGenericViewSet, error_responses
from bianmin.programs import queries
from bianmin.programs.models import Enrolment, ExitReason, Program, Visit, VisitKind
from bianmin.programs.services import active_enrolment, enrol, exit_enrolment, record_visit
from bianmin.registry.access import staff_of


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = [
            "code",
            "name",
            "description",
            "sector",
            "eligibility",
            "enrolment_mode",
            "schedule_kind",
            "interval_months",
            "plan_offsets",
            "plan_anchor",
            "plan_window_days",
            "yearly_due",
            "first_visit_days",
            "counted_kinds",
            "form_schema",
            "outcomes",
            "responsible_unit_kind",
            "responsible_role",
            "active",
        ]


class EnrolmentSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    person_id_masked = serializers.CharField(source="person.id_masked", read_only=True)
    responsible_unit = serializers.CharField(source="responsible_unit_id", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "program",
            "person",
            "person_name",
            "person_id_masked",
            "status",
            "enrolled_on",
            "enrolment_mode",
            "enrol_note",
            "exit_reason",
            "exit_note",
            "exited_on",
            "ineligible_since",
            "responsible_unit",
            "area_code",
            "next_due_on",
            "last_visit_on",
            "visit_count",
        ]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = [
            "id",
            "enrolment",
            "visited_on",
            "kind",
            "performer_name",
            "data",
            "outcome",
            "notes",
            "next_due_on",
            "created_at",
        ]
        read_only_fields = fields


class EnrolSerializer(serializers.Serializer):
    program = serializers.SlugField()
    person = serializers.IntegerField()
    enrolled_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ExitSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ExitReason.choices)
    on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class VisitInSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(required=False)
    program = serializers.SlugField(required=False)
    person = serializers.IntegerField(required=False)
    visited_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    data = serializers.DictField(child=serializers.JSONField(), default=dict)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    next_due_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if not attrs.get("enrolment") and not (attrs.get("program") and attrs.get("person")):
            raise serializers.ValidationError(_("请指定纳入记录，或项目与人员。"))
        return attrs


def _program(code: str) -> Program:
    program = Program.objects.filter(code=code).first()
    if program is None:
        raise Http404
    return program


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise serializers.ValidationError({name: _("请填写整数。")}) from None


def _role(request) -> str | None:
    staff = staff_of(request.user)
    return staff.role if staff is not None else None


@extend_schema(tags=["programs"])
class ProgramViewSet(ScopedGenericViewSet):
    serializer_class = ProgramSerializer
    lookup_field = "code"

    def get_queryset(self):
        return Program.objects.filter(active=True)

    @extend_schema(summary="随访服务项目列表")
    def list(self, request):
        return Response(ProgramSerializer(self.get_queryset(), many=True).data)

    @extend_schema(
        summary="随访服务项目定义", responses={200: ProgramSerializer, **error_responses(404)}
    )
    def retrieve(self, request, code: str):
        return Response(ProgramSerializer(_program(code)).data)


@extend_schema(tags=["programs"])
class EnrolmentViewSet(ScopedGenericViewSet):
    serializer_class = EnrolmentSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Enrolment.objects.select_related("program", "person")

    @extend_schema(summary="纳入记录（限本人管辖范围）")
    def list(self, request):
        qs = self.get_queryset().order_by("id")
        if _int_param(request, "person") is not None:
            qs = qs.filter(person_id=_int_param(request, "person"))
        if request.query_params.get("program"):
            qs = qs.filter(program__code=request.query_params["program"])
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(EnrolmentSerializer(page, many=True).data)

    @extend_schema(
        summary="纳入随访项目",
        request=EnrolSerializer,
        responses={201: EnrolmentSerializer, **error_responses(400, 403)},
    )
    def create(self, request):
        form = EnrolSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        f = form.validated_data
        e = enrol(
            actor=request.actor,
            program=_program(f["program"]),
            person=f["person"],
            enrolled_on=f.get("enrolled_on"),
            note=f["note"],
        )
        return Response(EnrolmentSerializer(e).data, status=201)

    @extend_schema(summary="纳入记录", responses={200: EnrolmentSerializer, **error_responses(404)})
    def retrieve(self, request, pk: str):
        return Response(EnrolmentSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(
        summary="结案（退出项目）",
        request=ExitSerializer,
        responses={200: EnrolmentSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def exit(self, request, pk: str):
        e = get_object_or_404(self.get_queryset(), pk=pk)
        form = ExitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        f = form.validated_data
        e = exit_enrolment(
            actor=request.actor, enrolment=e, reason=f["reason"], on=f.get("on"), note=f["note"]
        )
        return Response(EnrolmentSerializer(e).data)


@extend_schema(tags=["programs"])
class VisitViewSet(ScopedGenericViewSet):
    serializer_class = VisitSerializer

    def get_queryset(self):
        return Visit.objects.all()

    @extend_schema(summary="随访记录（按纳入记录）")
    def list(self, request):
        qs = self.get_queryset().order_by("-visited_on", "-id")
        if _int_param(request, "enrolment") is not None:
            qs = qs.filter(enrolment_id=_int_param(request, "enrolment"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(VisitSerializer(page, many=True).data)

    @extend_schema(
        summary="登记随访（按项目表单校验）",
        request=VisitInSerializer,
        responses={201: VisitSerializer, **error_responses(400, 403, 404)},
    )
    def create(self, request):
        form = VisitInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        f = form.validated_data
        if f.get("enrolment"):
            enrolment = get_object_or_404(Enrolment.objects, pk=f["enrolment"])
        else:
            enrolment = active_enrolment(program=_program(f["program"]), person=f["person"])
        visit = record_visit(
            actor=request.actor,
            enrolment=enrolment,
            visited_on=f["visited_on"],
            kind=f["kind"],
            data=f["data"],
            outcome=f["outcome"],
            notes=f["notes"],
            next_due_on=f["next_due_on"],
        )
        return Response(VisitSerializer(visit).data, status=201)


class DueListView(ScopedAPIView):
    @extend_schema(
        tags=["programs"],
        summary="随访待办（本人辖区，到期与逾期）",
        responses={200: EnrolmentSerializer(many=True)},
    )
    def get(self, request):
        bucket = request.query_params.get("bucket", "all")
        if bucket not in queries.BUCKETS:
            bucket = "all"
        program = None
        if request.query_params.get("program"):
            program = _program(request.query_params["program"])
        limit = max(1, min(_int_param(request, "limit") or 100, 500))
        ids = queries.due_list(bucket=bucket, program=program, role=_role(request))
        rows = queries.with_details(list(ids.values_list("pk", flat=True)[:limit]))
        return Response(EnrolmentSerializer(rows, many=True).data)


class CoverageView(ScopedAPIView):
    @extend_schema(
        tags=["programs"],
        summary="随访覆盖情况（按下级区划）",
        responses={200: dict, **error_responses(400, 403, 404)},
    )
    def get(self, request, code: str):
        from bianmin.programs.views import parse_day

        report = queries.coverage(
            program=_program(code),
            area_code=request.query_params.get("area") or None,
            start=parse_day(request.query_params.get("start")),
            end=parse_day(request.query_params.get("end")),
        )

        def row(r):
            return {
                "area_code": r.area_code,
                "name": r.name,
                "eligible": r.eligible,
                "enrolled": r.enrolled,
                "enrolment_rate": r.enrolment_rate,
                "expected": r.expected,
                "on_schedule": r.on_schedule,
                "schedule_rate": r.schedule_rate,
            }

        return Response(
            {
                "program": code,
                "area_code": report.area_code,
                "start": report.start,
                "end": report.end,
                "total": row(report.total),
                "rows": [row(r) for r in report.rows],
                "behind": report.behind[:500],
            }
        )
