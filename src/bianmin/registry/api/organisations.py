"""法人库 API: organisations keyed by the unified social credit code (GB 32100)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from bianmin.core.api import ScopedGenericViewSet, error_responses
from bianmin.registry.api import serializers as s
from bianmin.registry.models import Organisation
from bianmin.registry.services import organisations as svc


@extend_schema(tags=["organisations"])
class OrganisationViewSet(ScopedGenericViewSet):
    serializer_class = s.OrganisationSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Organisation.objects.select_related("division", "legal_rep")

    @extend_schema(
        summary="法人库列表（限本人管辖范围）",
        parameters=[s.OrganisationFilterSerializer],
        responses={200: s.OrganisationSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        params = s.OrganisationFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        qs = self.get_queryset()
        if f.get("name"):
            qs = qs.filter(name__contains=f["name"].strip())
        if f.get("credit_code"):
            qs = qs.filter(credit_code__startswith=f["credit_code"].strip().upper())
        if f.get("org_category"):
            qs = qs.filter(org_category=f["org_category"])
        if f.get("area"):
            qs = qs.filter(area_code__startswith=f["area"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.OrganisationSerializer(page, many=True).data)

    @extend_schema(
        summary="登记法人单位",
        request=s.OrganisationCreateSerializer,
        responses={201: s.OrganisationSerializer, **error_responses(400, 403)},
    )
    def create(self, request):
        form = s.OrganisationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        org = svc.create_organisation(actor=request.actor, **form.validated_data)
        return Response(s.OrganisationSerializer(org).data, status=201)

    @extend_schema(
        summary="查阅法人单位（记入审计日志）",
        responses={200: s.OrganisationSerializer, **error_responses(403, 404)},
    )
    def retrieve(self, request, pk: str):
        org = svc.access_organisation(actor=request.actor, organisation_id=int(pk))
        return Response(s.OrganisationSerializer(org).data)
