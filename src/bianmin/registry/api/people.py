"""人口库 API: list and search, create, read (audited), change, reveal, life status, tags, and
the 一号 look-up by ID number (in the body, never in a URL)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from bianmin.core.api import ScopedGenericViewSet, error_responses
from bianmin.registry.api import serializers as s
from bianmin.registry.api.common import (
    attach_tags,
    scoped_or_raise,
    visible_tag_list,
    with_display_relations,
)
from bianmin.registry.models import Person
from bianmin.registry.queries import search_people
from bianmin.registry.services import people as svc

PURPOSE = OpenApiParameter(
    "purpose", str, OpenApiParameter.QUERY, description="查阅事由（记入审计日志）"
)


def _shown(person: Person, context: dict) -> dict:
    return s.PersonSerializer(person, context=context).data


@extend_schema(tags=["people"])
class PersonViewSet(ScopedGenericViewSet):
    serializer_class = s.PersonSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Person.objects.all()

    @extend_schema(
        summary="人口库列表与查询（限本人管辖范围）",
        parameters=[s.PersonFilterSerializer],
        responses={200: s.PersonSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        params = s.PersonFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        tag = None
        if f.get("tag"):
            tag = next((t for t in visible_tag_list() if t.code == f["tag"]), None)
            if tag is None:
                raise ValidationError(
                    {
                        "tag": ValidationError(
                            _("标签“%(code)s”不存在。"),
                            code="unknown_tag",
                            params={"code": f["tag"]},
                        )
                    }
                )
        qs = search_people(
            text=f.get("q", ""),
            grid=f.get("grid", ""),
            area=f.get("area", ""),
            tag=tag,
            life_status=f.get("life_status", ""),
            residence_type=f.get("residence_type", ""),
        )
        # Each narrowing field goes through the same search, so its meaning is defined once.
        for key in ("name", "initials", "last4"):
            if f.get(key):
                qs = qs & search_people(text=f[key])
        page = self.paginate_queryset(with_display_relations(qs))
        attach_tags(page)
        return self.get_paginated_response(
            s.PersonSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="登记人员（一次录入，多方共享）",
        request=s.PersonCreateSerializer,
        responses={201: s.PersonSerializer, **error_responses(400, 403)},
    )
    def create(self, request):
        form = s.PersonCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = svc.create_person(actor=request.actor, **form.validated_data)
        return Response(_shown(person, self.get_serializer_context()), status=201)

    @extend_schema(
        summary="查阅人员档案（记入审计日志）",
        parameters=[PURPOSE],
        responses={200: s.PersonSerializer, **error_responses(403, 404)},
    )
    def retrieve(self, request, pk: str):
        person = svc.access_person(
            actor=request.actor,
            person_id=int(pk),
            purpose=request.query_params.get("purpose", "")[:200],
        )
        return Response(_shown(person, self.get_serializer_context()))

    @extend_schema(
        summary="修改人员信息（身份证号、出生日期、性别不可改）",
        request=s.PersonUpdateSerializer,
        responses={200: s.PersonSerializer, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request, pk: str):
        form = s.PersonUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        # Fields the form does not know (id_number, sex …) go to the service, which refuses
        # them with its own reason rather than the API silently dropping them.
        extra = {k: request.data[k] for k in request.data if k not in form.fields}
        person = scoped_or_raise(Person, int(pk))
        person = svc.update_person(
            actor=request.actor, person=person, **form.validated_data, **extra
        )
        return Response(_shown(person, self.get_serializer_context()))

    @extend_schema(
        summary="一号查询：按完整身份证号码查找人员（记入审计日志）",
        description="号码放在请求体中，不出现在 URL 里。15位旧号码自动升级后查找。",
        request=s.LookupSerializer,
        responses={200: s.PersonSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=False, methods=["post"])
    def lookup(self, request):
        form = s.LookupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = svc.lookup_person(
            actor=request.actor,
            id_number=form.validated_data["id_number"],
            purpose=form.validated_data.get("purpose", ""),
        )
        return Response(_shown(person, self.get_serializer_context()))

    @extend_schema(
        summary="查看完整身份证号码（须填事由，记入审计日志）",
        request=s.PurposeSerializer,
        responses={200: s.RevealSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk: str):
        form = s.PurposeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = scoped_or_raise(Person, int(pk))
        number = svc.reveal_id_number(
            actor=request.actor, person=person, purpose=form.validated_data["purpose"]
        )
        return Response({"id": person.pk, "id_number": number})

    @extend_schema(
        summary="登记死亡、迁出或更正为正常",
        request=s.LifeStatusSerializer,
        responses={200: s.PersonSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="life-status")
    def life_status(self, request, pk: str):
        form = s.LifeStatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = scoped_or_raise(Person, int(pk))
        data = form.validated_data
        person = svc.set_life_status(
            actor=request.actor,
            person=person,
            status=data["life_status"],
            date=data["date"],
            source=data["source"],
        )
        return Response(_shown(person, self.get_serializer_context()))

    @extend_schema(
        summary="添加重点人群标签",
        request=s.TagAddSerializer,
        responses={201: s.PersonTagSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def tags(self, request, pk: str):
        form = s.TagAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        person = scoped_or_raise(Person, int(pk))
        link = svc.tag_person(
            actor=request.actor,
            person=person,
            tag_code=data["tag"],
            since=data.get("since"),
            source=data.get("source", ""),
        )
        return Response(s.PersonTagSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="移除重点人群标签",
        request=None,
        responses={204: OpenApiResponse(description="已移除"), **error_responses(403, 404)},
    )
    @action(detail=True, methods=["delete"], url_path=r"tags/(?P<tag_code>[-\w]+)")
    def remove_tag(self, request, pk: str, tag_code: str):
        person = scoped_or_raise(Person, int(pk))
        svc.untag_person(actor=request.actor, person=person, tag_code=tag_code)
        return Response(status=status.HTTP_204_NO_CONTENT)
