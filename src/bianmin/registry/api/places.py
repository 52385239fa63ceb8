"""Divisions, grids, households and the tag list: where people live and how they are grouped."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from bianmin.core.api import ScopedGenericViewSet, error_responses
from bianmin.registry.api import serializers as s
from bianmin.registry.api.common import scoped_or_raise, visible_tag_list
from bianmin.registry.divisions_data import official_code, prefix_of
from bianmin.registry.models import Division, Grid, Household, Person
from bianmin.registry.queries import visible_tags
from bianmin.registry.services import people as svc


class UnknownDivision(exceptions.NotFound):
    default_code = "unknown_division"


def division_by_any_code(code: str) -> Division:
    """Accept every official way of writing a code (4201, 420100, 420102002000 …)."""
    try:
        official = official_code(prefix_of(code))
    except ValueError:
        official = None
    division = Division.objects.filter(code=official).first() if official else None
    if division is None:
        raise UnknownDivision(_("行政区划代码“%(code)s”不存在。") % {"code": code})
    return division


@extend_schema(tags=["divisions"])
class DivisionViewSet(ScopedGenericViewSet):
    serializer_class = s.DivisionSerializer
    lookup_field = "code"
    lookup_value_regex = r"\d{1,14}"

    def get_queryset(self):
        return Division.objects.all()

    @extend_schema(
        summary="行政区划及其下级",
        description="代码可用任一官方写法：4201、420100、420102、420102002、420102002000。",
        responses={200: s.DivisionSerializer, **error_responses(404)},
    )
    def retrieve(self, request, code: str):
        division = division_by_any_code(code)
        return Response(s.DivisionSerializer(division).data)


@extend_schema(tags=["grids"])
class GridViewSet(ScopedGenericViewSet):
    serializer_class = s.GridSerializer

    def get_queryset(self):
        return Grid.objects.select_related("community")

    @extend_schema(
        summary="网格列表（限本人管辖范围）",
        parameters=[s.GridFilterSerializer],
        responses={200: s.GridSerializer(many=True), **error_responses(400, 404)},
    )
    def list(self, request):
        params = s.GridFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        qs = self.get_queryset()
        community = params.validated_data.get("community")
        if community:
            qs = qs.filter(community=division_by_any_code(community))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.GridSerializer(page, many=True).data)


@extend_schema(tags=["households"])
class HouseholdViewSet(ScopedGenericViewSet):
    serializer_class = s.HouseholdSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        # Meta.ordering is not applied to GROUP BY queries: order explicitly for paging.
        return (
            Household.objects.select_related("division")
            .annotate(member_count=Count("members"))
            .order_by("number")
        )

    @extend_schema(
        summary="户列表（限本人管辖范围）",
        parameters=[
            OpenApiParameter("number", str, description="户号（前缀）"),
            OpenApiParameter("grid", str, description="网格编码"),
        ],
        responses={200: s.HouseholdSerializer(many=True)},
    )
    def list(self, request):
        qs = self.get_queryset()
        if number := request.query_params.get("number", "").strip():
            qs = qs.filter(number__startswith=number)
        if grid := request.query_params.get("grid", "").strip():
            qs = qs.filter(grid_id=grid)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.HouseholdSerializer(page, many=True).data)

    @extend_schema(
        summary="立户",
        request=s.HouseholdCreateSerializer,
        responses={201: s.HouseholdSerializer, **error_responses(400, 403)},
    )
    def create(self, request):
        form = s.HouseholdCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        household = svc.create_household(actor=request.actor, **form.validated_data)
        household.member_count = 0
        return Response(s.HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="查阅户及其成员（记入审计日志）",
        responses={200: s.HouseholdDetailSerializer, **error_responses(403, 404)},
    )
    def retrieve(self, request, pk: str):
        household = svc.access_household(actor=request.actor, household_id=int(pk))
        household.member_count = household.members.count()
        return Response(s.HouseholdDetailSerializer(household).data)

    @extend_schema(
        summary="将人员加入本户",
        request=s.MemberAddSerializer,
        responses={201: s.PersonBriefSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def members(self, request, pk: str):
        form = s.MemberAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        household = scoped_or_raise(Household, int(pk))
        person = scoped_or_raise(Person, form.validated_data["person"])
        person = svc.add_member(
            actor=request.actor,
            household=household,
            person=person,
            relationship=form.validated_data["relationship"],
        )
        return Response(s.PersonBriefSerializer(person).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["tags"])
class TagViewSet(ScopedGenericViewSet):
    serializer_class = s.TagSerializer
    pagination_class = None

    def get_queryset(self):
        return visible_tags()

    @extend_schema(
        summary="重点人群标签（本人可见的）", responses={200: s.TagSerializer(many=True)}
    )
    def list(self, request):
        return Response(s.TagSerializer(visible_tag_list(), many=True).data)
