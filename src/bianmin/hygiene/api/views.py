"""/api/v1/hygiene/ — places, 量化评分 inspections, the calendar (staff), and the public 公示
list (no login). Each write is one service call."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from bianmin.core.api import ScopedAPIView, ScopedGenericViewSet, error_responses
from bianmin.hygiene import queries
from bianmin.hygiene import services as svc
from bianmin.hygiene.api import serializers as s
from bianmin.hygiene.models import PlannedInspection, PublicPlace
from bianmin.hygiene.services.common import today


def _valid(serializer_class, data):
    form = serializer_class(data=data)
    form.is_valid(raise_exception=True)
    return form.validated_data


@extend_schema(tags=["hygiene"])
class PlaceViewSet(ScopedGenericViewSet):
    queryset = PublicPlace.objects.none()
    serializer_class = s.PlaceSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        p = self.request.query_params
        return queries.places(
            q=p.get("q", ""), place_type=p.get("place_type", ""), grade=p.get("grade", "")
        ).select_related("organisation")

    @extend_schema(summary="公共场所（?q=&place_type=&grade=）")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PlaceSerializer(page, many=True).data)

    @extend_schema(
        summary="一个场所及其检查记录", responses={200: s.PlaceSerializer, **error_responses(404)}
    )
    def retrieve(self, request, pk=None):
        place = self.get_queryset().filter(pk=pk).first()
        if place is None:
            raise exceptions.NotFound()
        data = s.PlaceSerializer(place).data
        data["inspections"] = s.InspectionSerializer(queries.history(place), many=True).data
        return Response(data)

    @extend_schema(
        summary="登记公共场所",
        request=s.PlaceInSerializer,
        responses={201: s.PlaceSerializer, **error_responses(400)},
    )
    def create(self, request):
        place = svc.register_place(actor=request.actor, **_valid(s.PlaceInSerializer, request.data))
        return Response(s.PlaceSerializer(place).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="量化评分检查",
        request=s.InspectionInSerializer,
        responses={201: s.InspectionSerializer, **error_responses(400)},
    )
    @action(detail=True, methods=["post"])
    def inspections(self, request, pk=None):
        data = _valid(s.InspectionInSerializer, request.data)
        inspection = svc.record_inspection(
            actor=request.actor, place=pk, user_id=request.user.pk, **data
        )
        return Response(s.InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["hygiene"])
class PlanViewSet(ScopedGenericViewSet):
    queryset = PlannedInspection.objects.none()
    serializer_class = s.PlanSerializer

    @extend_schema(
        summary="某月检查日历（?month=YYYY-MM）",
        responses={200: s.PlanSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        text = request.query_params.get("month") or f"{today():%Y-%m}"
        try:
            day = dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            raise exceptions.ValidationError({"month": [_("月份格式应为“YYYY-MM”。")]}) from None
        rows = [
            p
            for _day, plans in queries.month_calendar(year=day.year, month=day.month)
            for p in plans
        ]
        return Response(s.PlanSerializer(rows, many=True).data)

    @extend_schema(
        summary="生成年度检查计划",
        request=s.YearSerializer,
        responses={200: None, **error_responses(400)},
    )
    @action(detail=False, methods=["post"])
    def generate(self, request):
        year = _valid(s.YearSerializer, request.data)["year"]
        return Response({"year": year, "visits": svc.generate_plan(actor=request.actor, year=year)})


class PublicView(ScopedAPIView):
    """公示: graded places for anyone, no login."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="公共场所卫生量化分级公示",
        auth=[],
        tags=["hygiene"],
        responses={200: s.PublicPlaceSerializer(many=True)},
    )
    def get(self, request):
        p = request.query_params
        rows = queries.public_places(
            q=p.get("q", ""), place_type=p.get("place_type", ""), grade=p.get("grade", "")
        )
        page = self.paginator.paginate_queryset(rows, request, view=self)
        return self.paginator.get_paginated_response(s.PublicPlaceSerializer(page, many=True).data)

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            from rest_framework.pagination import PageNumberPagination

            self._paginator = PageNumberPagination()
        return self._paginator
