"""/api/v1/ratings/ — the monthly star ratings: read the month, submit a self-assessment,
record a 明察暗访, compute and publish (supervisors), the year's lists and notices. Each write
is one service call; lists come through the scoped managers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from bianmin.core.api import ScopedGenericViewSet, error_responses
from bianmin.ratings import queries
from bianmin.ratings import services as svc
from bianmin.ratings.api import serializers as s
from bianmin.ratings.models import MonthlyRating, YearNotice
from bianmin.ratings.services.common import month_bounds, today


def _valid(serializer_class, data) -> dict[str, Any]:
    form = serializer_class(data=data)
    form.is_valid(raise_exception=True)
    return form.validated_data


def _require_rater(request) -> None:
    from bianmin.ratings.views import may_rate

    if not may_rate(request.user):
        raise exceptions.PermissionDenied(_("只有监察人员和系统管理员可以进行星级评定。"))


@extend_schema(tags=["ratings"])
class MonthlyRatingViewSet(ScopedGenericViewSet):
    queryset = MonthlyRating.objects.none()
    serializer_class = s.MonthlyRatingSerializer

    def get_queryset(self):
        return MonthlyRating.objects.select_related("centre").order_by("month", "centre_id")

    @extend_schema(
        summary="某月各中心星级（?month=YYYY-MM）",
        responses={200: s.MonthlyRatingSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        month = request.query_params.get("month") or f"{today():%Y-%m}"
        month_bounds(month)
        rows = queries.month_table(month=month, area=request.query_params.get("area", ""))
        return Response(s.MonthlyRatingSerializer(rows, many=True).data)

    @extend_schema(
        summary="一个中心一个月的星级及各项来源",
        responses={200: s.MonthlyRatingSerializer, **error_responses(404)},
    )
    def retrieve(self, request, pk=None):
        rating = self.get_queryset().filter(pk=pk).first()
        if rating is None:
            raise exceptions.NotFound()
        return Response(s.MonthlyRatingSerializer(rating).data)

    @extend_schema(
        summary="按当月数据评定",
        request=s.MonthSerializer,
        responses={200: s.MonthlyRatingSerializer(many=True), **error_responses(400, 403)},
    )
    @action(detail=False, methods=["post"])
    def compute(self, request):
        _require_rater(request)
        data = _valid(s.MonthSerializer, request.data)
        rows = svc.compute_month(actor=request.actor, month=data["month"])
        return Response(s.MonthlyRatingSerializer(rows, many=True).data)

    @extend_schema(
        summary="发布（锁定）当月星级",
        request=s.MonthSerializer,
        responses={200: None, **error_responses(400, 403)},
    )
    @action(detail=False, methods=["post"])
    def publish(self, request):
        _require_rater(request)
        data = _valid(s.MonthSerializer, request.data)
        count = svc.publish_month(actor=request.actor, month=data["month"])
        return Response({"month": data["month"], "published": count})

    @extend_schema(
        summary="报送月度自评",
        request=s.SelfAssessmentInSerializer,
        responses={201: s.SelfAssessmentSerializer, **error_responses(400)},
    )
    @action(detail=False, methods=["post"], url_path="self-assessments")
    def self_assessments(self, request):
        data = _valid(s.SelfAssessmentInSerializer, request.data)
        item = svc.submit_self_assessment(actor=request.actor, **data)
        return Response(s.SelfAssessmentSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="登记明察暗访",
        request=s.CentreInspectionInSerializer,
        responses={201: s.CentreInspectionSerializer, **error_responses(400, 403)},
    )
    @action(detail=False, methods=["post"])
    def inspections(self, request):
        _require_rater(request)
        data = _valid(s.CentreInspectionInSerializer, request.data)
        item = svc.record_inspection(actor=request.actor, user_id=request.user.pk, **data)
        return Response(s.CentreInspectionSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ratings"])
class YearViewSet(ScopedGenericViewSet):
    queryset = YearNotice.objects.none()
    serializer_class = s.NoticeSerializer

    def _year(self, request) -> int:
        try:
            return int(request.query_params.get("year") or request.data.get("year") or today().year)
        except (TypeError, ValueError):
            raise exceptions.ValidationError({"year": [_("年度无效。")]}) from None

    @extend_schema(summary="年度奖励名单、警告名单与已下发的通知（?year=）", responses={200: None})
    def list(self, request):
        year = self._year(request)
        return Response(
            {
                "year": year,
                "reward": s.YearRowSerializer(queries.reward_list(year=year), many=True).data,
                "warning": s.YearRowSerializer(queries.warning_list(year=year), many=True).data,
                "notices": s.NoticeSerializer(queries.notices(year=year), many=True).data,
            }
        )

    @extend_schema(
        summary="下发年度奖励与警告",
        request=None,
        responses={200: s.NoticeSerializer(many=True), **error_responses(400, 403)},
    )
    @action(detail=False, methods=["post"])
    def issue(self, request):
        _require_rater(request)
        notices = svc.issue_notices(actor=request.actor, year=self._year(request))
        return Response(s.NoticeSerializer(notices, many=True).data)

    @extend_schema(
        summary="登记警告的整改情况",
        request=s.FollowUpSerializer,
        responses={200: s.NoticeSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        _require_rater(request)
        if not YearNotice.objects.filter(pk=pk).exists():
            raise exceptions.NotFound()
        data = _valid(s.FollowUpSerializer, request.data)
        notice = svc.record_follow_up(actor=request.actor, notice_id=int(pk), **data)
        return Response(s.NoticeSerializer(notice).data)
