"""/api/v1/evaluation/ — 好差评, 差评整改, 投诉 and the monthly figures. Each action is one
service call; lists come through the scoped managers. A step the record's state does not allow
answers 409 (invalid_transition, already_rated, case_not_closed); a rater who is not the
applicant 403 (not_applicant)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from bianmin.core.api import ErrorSerializer, ScopedAPIView, ScopedGenericViewSet, error_responses
from bianmin.evaluation import queries
from bianmin.evaluation import services as svc
from bianmin.evaluation.api import serializers as s
from bianmin.evaluation.models import Complaint, Rating, RectificationTask
from bianmin.evaluation.services.common import today
from bianmin.evaluation.services.ratings import StaffScore

CONFLICT_CODES = frozenset({"invalid_transition", "already_rated", "case_not_closed"})
FORBIDDEN_CODES = frozenset({"not_applicant"})
_409 = OpenApiResponse(ErrorSerializer, description="当前状态不允许（invalid_transition 等）")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "invalid_transition"


class Forbidden(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "not_applicant"


class EvaluationErrors:
    """State conflicts become 409 and a rater who is not the applicant 403, with their code."""

    def handle_exception(self, exc):
        code = getattr(exc, "code", None)
        if isinstance(exc, DjangoValidationError) and not hasattr(exc, "error_dict"):
            if code in CONFLICT_CODES:
                exc = Conflict("；".join(exc.messages), code=code)
            elif code in FORBIDDEN_CODES:
                exc = Forbidden("；".join(exc.messages), code=code)
        return super().handle_exception(exc)


def _valid(serializer_class, data) -> dict[str, Any]:
    form = serializer_class(data=data)
    form.is_valid(raise_exception=True)
    return form.validated_data


def _marked(items, on):
    """Attach the overdue flag the answers show (a property of the day, not stored)."""
    for item in items:
        item.overdue = item.overdue_on(on)
    return items


def _transition(summary: str, request, answer):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: answer, **error_responses(400, 403, 404), 409: _409},
    )


# --- ratings --------------------------------------------------------------------------------


@extend_schema(tags=["evaluation"])
class RatingViewSet(EvaluationErrors, ScopedGenericViewSet):
    queryset = Rating.objects.none()
    serializer_class = s.RatingSerializer

    @extend_schema(
        summary="好差评：申请人对已办结（或已送达）的办件评价一次；差评自动生成整改任务",
        request=s.RatingInput,
        responses={201: s.RatingSerializer, **error_responses(400, 403, 404), 409: _409},
    )
    def create(self, request):
        data = _valid(s.RatingInput, request.data)
        rating = svc.rate_case(
            actor=request.actor,
            case=data["case_no"],
            level=data["level"],
            channel=data["channel"],
            comment=data["comment"],
            staff_scores=[StaffScore(x["staff"], x["level"]) for x in data["staff"]],
            id_number=data["applicant_id_number"],
        )
        rating = Rating.objects.select_related("case", "agent", "task").get(pk=rating.pk)
        return Response(s.RatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="评价列表（管辖范围内；可按月份）",
        parameters=[s.MonthQuery],
        responses={200: s.RatingSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        params = _valid(s.MonthQuery, request.query_params)
        ratings = Rating.objects.select_related("case", "agent", "task").order_by("-rated_at")
        if params.get("month"):
            start, end = queries.month_range(params["month"])
            ratings = ratings.filter(rated_on__gte=start, rated_on__lte=end)
        page = self.paginate_queryset(ratings)
        return self.get_paginated_response(s.RatingSerializer(page, many=True).data)


# --- rectification tasks and complaints: the same loop --------------------------------------


class _LoopViewSet(EvaluationErrors, ScopedGenericViewSet):
    lookup_value_regex = r"\d+"

    def _list(self, request, rows, serializer):
        page = _marked(self.paginate_queryset(rows), today())
        return self.get_paginated_response(serializer(page, many=True).data)

    def _detail(self, obj, serializer, code: int = status.HTTP_200_OK) -> Response:
        obj = _marked([obj], today())[0]
        obj.steps_list = list(obj.steps.order_by("at", "id"))
        return Response(serializer(obj).data, status=code)


@extend_schema(tags=["evaluation"])
class RectificationViewSet(_LoopViewSet):
    queryset = RectificationTask.objects.none()
    serializer_class = s.RectificationTaskSerializer
    _ANSWER = s.RectificationTaskDetailSerializer

    def _task(self, request, pk: str) -> RectificationTask:
        return svc.access_task(actor=request.actor, task_id=int(pk))

    def _done(self, request, task) -> Response:
        return self._detail(self._task(request, task.pk), s.RectificationTaskDetailSerializer)

    @extend_schema(
        summary="差评整改任务列表（可按状态、是否超期筛选）",
        parameters=[s.ListFilter],
        responses={200: s.RectificationTaskSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        params = _valid(s.ListFilter, request.query_params)
        rows = queries.task_list(on=today(), status=params["status"], overdue=params["overdue"])
        return self._list(request, rows, s.RectificationTaskSerializer)

    @extend_schema(
        summary="差评整改任务详情与办理记录（记入审计日志）",
        responses={200: s.RectificationTaskDetailSerializer, **error_responses(403, 404)},
    )
    def retrieve(self, request, pk: str):
        return self._detail(self._task(request, pk), s.RectificationTaskDetailSerializer)

    @_transition("核实（回访核实：属实→整改；不属实→直接答复说明）", s.VerifyInput, _ANSWER)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk: str):
        data = _valid(s.VerifyInput, request.data)
        task = self._task(request, pk)
        svc.verify_task(
            actor=request.actor, task=task, founded=data["founded"], notes=data["notes"]
        )
        return self._done(request, task)

    @_transition("整改（填写整改措施）", s.NotesInput, _ANSWER)
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk: str):
        data = _valid(s.NotesInput, request.data)
        task = self._task(request, pk)
        svc.rectify_task(actor=request.actor, task=task, notes=data["notes"])
        return self._done(request, task)

    @_transition("答复申请人（短信发送）", s.AnswerInput, _ANSWER)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk: str):
        data = _valid(s.AnswerInput, request.data)
        task = self._task(request, pk)
        svc.answer_task(actor=request.actor, task=task, answer=data["answer"])
        return self._done(request, task)

    @_transition(
        "回访结果：满意/未表态办结；不满意再次整改，第二轮后提级市级督办", s.FeedbackInput, _ANSWER
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk: str):
        data = _valid(s.FeedbackInput, request.data)
        task = self._task(request, pk)
        svc.task_feedback(
            actor=request.actor, task=task, satisfied=data["satisfied"], notes=data["notes"]
        )
        return self._done(request, task)

    @_transition("督办办结（市级监察人员）", s.NotesInput, _ANSWER)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk: str):
        data = _valid(s.NotesInput, request.data)
        task = self._task(request, pk)
        svc.resolve_task(actor=request.actor, task=task, notes=data["notes"])
        return self._done(request, task)


@extend_schema(tags=["evaluation"])
class ComplaintViewSet(_LoopViewSet):
    queryset = Complaint.objects.none()
    serializer_class = s.ComplaintSerializer
    _ANSWER = s.ComplaintDetailSerializer

    def _complaint(self, request, pk) -> Complaint:
        return svc.access_complaint(actor=request.actor, complaint_id=int(pk))

    def _done(self, request, complaint) -> Response:
        return self._detail(self._complaint(request, complaint.pk), s.ComplaintDetailSerializer)

    @extend_schema(
        summary="受理投诉（网上、电话、窗口）；同一投诉人就同一对象短时间内重复提交，返回第一次的投诉（200）",
        request=s.ComplaintInput,
        responses={
            201: s.ComplaintDetailSerializer,
            200: OpenApiResponse(s.ComplaintDetailSerializer, description="重复提交：第一次的投诉"),
            **error_responses(400, 403),
        },
    )
    def create(self, request):
        data = _valid(s.ComplaintInput, request.data)
        result = svc.submit_complaint(
            actor=request.actor,
            channel=data["channel"],
            complainant_name=data["complainant_name"],
            complainant_phone=data["complainant_phone"],
            complainant_id_number=data["complainant_id_number"],
            content=data["content"],
            subject_kind=data["subject_kind"],
            case_no=data["case_no"],
            staff_id=data["staff"],
            org_unit_code=data["org_unit"],
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        complaint = Complaint.unscoped.select_related(
            "case", "staff", "org_unit", "department"
        ).get(pk=result.complaint.pk)
        return self._detail(complaint, s.ComplaintDetailSerializer, code)

    @extend_schema(
        summary="投诉列表（可按状态、是否超期、编号/投诉人/内容筛选）",
        parameters=[s.ComplaintFilter],
        responses={200: s.ComplaintSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        params = _valid(s.ComplaintFilter, request.query_params)
        rows = queries.complaint_list(
            on=today(), status=params["status"], overdue=params["overdue"], q=params["q"]
        )
        return self._list(request, rows, s.ComplaintSerializer)

    @extend_schema(
        summary="投诉详情与办理记录（记入审计日志）",
        responses={200: s.ComplaintDetailSerializer, **error_responses(403, 404)},
    )
    def retrieve(self, request, pk: str):
        return self._detail(self._complaint(request, pk), s.ComplaintDetailSerializer)

    @_transition("核实（属实→处理；不属实→直接答复说明）", s.VerifyInput, _ANSWER)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk: str):
        data = _valid(s.VerifyInput, request.data)
        complaint = self._complaint(request, pk)
        svc.verify_complaint(
            actor=request.actor, complaint=complaint, founded=data["founded"], notes=data["notes"]
        )
        return self._done(request, complaint)

    @_transition("处理（填写处理措施）", s.NotesInput, _ANSWER)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk: str):
        data = _valid(s.NotesInput, request.data)
        complaint = self._complaint(request, pk)
        svc.handle_complaint(actor=request.actor, complaint=complaint, notes=data["notes"])
        return self._done(request, complaint)

    @_transition("答复投诉人（短信发送）", s.AnswerInput, _ANSWER)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk: str):
        data = _valid(s.AnswerInput, request.data)
        complaint = self._complaint(request, pk)
        svc.answer_complaint(actor=request.actor, complaint=complaint, answer=data["answer"])
        return self._done(request, complaint)

    @_transition(
        "回访结果：满意/未表态办结；不满意再次核实，第二轮后提级市级督办", s.FeedbackInput, _ANSWER
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk: str):
        data = _valid(s.FeedbackInput, request.data)
        complaint = self._complaint(request, pk)
        svc.complaint_feedback(
            actor=request.actor,
            complaint=complaint,
            satisfied=data["satisfied"],
            notes=data["notes"],
        )
        return self._done(request, complaint)

    @_transition("督办办结（市级监察人员）", s.NotesInput, _ANSWER)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk: str):
        data = _valid(s.NotesInput, request.data)
        complaint = self._complaint(request, pk)
        svc.resolve_complaint(actor=request.actor, complaint=complaint, notes=data["notes"])
        return self._done(request, complaint)


# --- the monthly figures --------------------------------------------------------------------


class StatsView(EvaluationErrors, ScopedAPIView):
    @extend_schema(
        tags=["evaluation"],
        summary="评价统计（月/季/年）：按工作人员、服务中心（单位）、部门的评价等级、满意率、差评、"
        "按时整改率、投诉，及便民服务中心星级（服务中心、部门、合计取自指标库）",
        parameters=[s.PeriodQuery],
        responses={200: s.EvaluationStatsSerializer, **error_responses(400)},
    )
    def get(self, request):
        params = _valid(s.PeriodQuery, request.query_params)
        period = params.get("period") or params.get("month") or queries.month_of(today())
        stats = queries.stats(period=period, on=today(), scope=request.scope)
        return Response(s.EvaluationStatsSerializer(stats).data)
