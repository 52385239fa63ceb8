"""/api/v1/certificates/: the public keys, public verification of a QR code, and the staff
list of a holder's certificates."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from bianmin.certificates import queries, signing
from bianmin.certificates.models import Certificate, SigningKey
from bianmin.certificates.services.verification import masked_name, verify_qr
from bianmin.core import audit
from bianmin.core.api import ScopedAPIView, error_responses
from bianmin.core.models import AuditAction
from bianmin.registry.models import Organisation
from bianmin.registry.services.people import lookup_person


class VerifyThrottle(AnonRateThrottle):
    """Public and unauthenticated: enough for a counter scanning all day, not for crawling."""

    scope = "certificate_verify"
    rate = "120/min"


class KeySerializer(serializers.ModelSerializer):
    state = serializers.CharField()
    jwk = serializers.SerializerMethodField()

    class Meta:
        model = SigningKey
        fields = [
            "key_id",
            "algorithm",
            "public_key",
            "state",
            "created_at",
            "retired_at",
            "revoked_at",
            "jwk",
        ]

    def get_jwk(self, key: SigningKey) -> dict:
        return signing.public_jwk(key)


class KeysView(ScopedAPIView):
    """Every signing key, with its state: `active` signs, `retired` only verifies, `revoked`
    no longer verifies anything."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="电子证照签名公钥",
        responses={200: KeySerializer(many=True)},
        auth=[],
        tags=["certificates"],
    )
    def get(self, request):
        keys = SigningKey.objects.order_by("-created_at")
        return Response({"keys": KeySerializer(keys, many=True).data})


class VerifyRequest(serializers.Serializer):
    qr = serializers.CharField(max_length=2000, help_text="二维码内容（核验页网址）原样传入")


class VerifyView(ScopedAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        summary="核验电子证照二维码",
        request=VerifyRequest,
        responses={
            200: inline_serializer(
                "CertificateVerification",
                {
                    "authentic": serializers.BooleanField(),
                    "reason": serializers.CharField(),
                    "message": serializers.CharField(),
                    "status": serializers.CharField(allow_null=True),
                    "certificate": serializers.DictField(allow_null=True),
                },
            ),
            **error_responses(400, 429),
        },
        auth=[],
        tags=["certificates"],
    )
    def post(self, request):
        form = VerifyRequest(data=request.data)
        form.is_valid(raise_exception=True)
        result = verify_qr(form.validated_data["qr"])
        cert = result.certificate
        return Response(
            {
                "authentic": result.authentic,
                "reason": result.reason,
                "message": result.message,
                "status": result.status,
                "certificate": {
                    "type": cert.type.name,
                    "holder": masked_name(
                        cert.holder_name, organisation=cert.holder_org_id is not None
                    ),
                    "issuer": cert.issuer_name,
                    "issued_on": cert.issued_on,
                    "valid_until": cert.valid_until,
                }
                if result.authentic
                else None,
            }
        )


class CertificateSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="type_id")
    type_name = serializers.CharField(source="type.name")
    status = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "identifier",
            "type",
            "type_name",
            "holder_name",
            "holder_id_masked",
            "holder_type_code",
            "issuer_name",
            "issuer_credit_code",
            "issued_on",
            "valid_until",
            "status",
            "status_reason",
            "status_changed_at",
            "source",
            "data",
        ]

    def get_status(self, cert: Certificate) -> str:
        return queries.effective_status(cert)


class HolderCertificatesView(ScopedAPIView):
    """Staff: the certificates (in scope) of one person, by ID number, or organisation, by
    credit code. The look-up is audited."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="持证主体的电子证照",
        parameters=[
            OpenApiParameter("id_number", str, description="公民身份号码"),
            OpenApiParameter("credit_code", str, description="统一社会信用代码"),
        ],
        responses={200: CertificateSerializer(many=True), **error_responses(400, 403, 404)},
        tags=["certificates"],
    )
    def get(self, request):
        id_number = request.query_params.get("id_number", "")
        credit_code = request.query_params.get("credit_code", "").strip().upper()
        if id_number:
            holder = lookup_person(actor=request.actor, id_number=id_number, purpose="查询电子证照")
        elif credit_code:
            holder = Organisation.objects.filter(credit_code=credit_code).first()
            if holder is None:
                raise Organisation.DoesNotExist()
            audit.record(
                request.actor,
                AuditAction.SEARCH,
                object_type="organisation",
                object_id=holder.pk,
                object_label=holder.name,
                changes={"purpose": "查询电子证照"},
            )
        else:
            raise serializers.ValidationError(
                {"id_number": [_("请提供公民身份号码或统一社会信用代码。")]}
            )
        certs = queries.certificates_of(holder)
        return Response(CertificateSerializer(certs, many=True).data)
