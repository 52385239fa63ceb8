"""/api/v1/exchange/: departments push records (docs/exchange.md).

Authentication is the client's HMAC signature (exchange/signing.py), not a staff token; a
department's push is applied as the system (every register follows a life event, whatever
area it is in). A bad signature or a malformed envelope rejects the whole push (401 / 400) and
is logged; a bad record inside a well-formed push goes to the dead-letter list on its own.
"""

from __future__ import annotations

import json

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from bianmin.core.api import ErrorSerializer, ScopedAPIView
from bianmin.core.scope import acting_in
from bianmin.exchange import services
from bianmin.exchange.models import (
    CERTIFICATE,
    DEATH,
    EMPLOYMENT,
    MOVE,
    MOVE_OUT,
    PushOutcome,
    RecordKind,
)
from bianmin.exchange.signing import AuthFailure, authenticate
from bianmin.exchange.texts import MESSAGES
from bianmin.registry.access import client_ip

_RESULT = inline_serializer(
    "ExchangeRecordResult",
    {
        "record_id": serializers.CharField(),
        "status": serializers.CharField(help_text="applied | dead_letter"),
        "replayed": serializers.BooleanField(required=False),
        "code": serializers.CharField(required=False, help_text="dead_letter 时的原因代码"),
        "detail": serializers.CharField(required=False),
        "life_event": serializers.IntegerField(required=False),
        "already": serializers.BooleanField(required=False, help_text="此前已告知，未重复处理"),
    },
    many=True,
)
_ANSWER = inline_serializer(
    "ExchangePushAnswer",
    {
        "push": serializers.IntegerField(),
        "applied": serializers.IntegerField(),
        "replayed": serializers.IntegerField(),
        "dead_lettered": serializers.IntegerField(),
        "results": _RESULT,
    },
)
_HEADERS = [
    OpenApiParameter(name, str, OpenApiParameter.HEADER, required=True, description=text)
    for name, text in (
        ("X-Bianmin-Client", "客户端标识"),
        ("X-Bianmin-Timestamp", "Unix 时间戳（秒），与服务器相差不超过300秒"),
        ("X-Bianmin-Nonce", "16–64位随机串，不得重复使用"),
        ("X-Bianmin-Signature", "HMAC-SHA256 十六进制签名，见 docs/exchange.md"),
    )
]


def _reject(request, *, client, code: str, status: int, outcome: str, **params) -> Response:
    message = MESSAGES[code] % params if params else MESSAGES[code]
    services.log_push(
        client=client,
        claimed=request.headers.get("X-Bianmin-Client", ""),
        path=request.path,
        ip=client_ip(request),
        outcome=outcome,
        http_status=status,
        reason_code=code,
        message=str(message),
    )
    return Response({"detail": str(message), "code": code}, status=status)


class PushView(ScopedAPIView):
    """A push of one kind: one record (a JSON object) or {"records": [...]}."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    kind = ""

    def _envelope(self, data) -> tuple[str, list, bool]:
        if isinstance(data, dict) and "records" in data:
            if not isinstance(data["records"], list) or not data["records"]:
                raise ValueError("records")
            return self.kind, data["records"], False
        if isinstance(data, dict):
            return self.kind, [data], True
        raise ValueError("body")

    def post(self, request, *args, **kwargs):
        body = request.body
        try:
            client = authenticate(
                headers=request.headers, method=request.method, path=request.path, body=body
            )
        except AuthFailure as failure:
            return _reject(
                request,
                client=failure.client,
                code=failure.code,
                status=401,
                outcome=PushOutcome.REJECTED_AUTH,
                **failure.params,
            )
        try:
            kind, items, single = self._envelope(json.loads(body.decode("utf-8")))
        except (ValueError, UnicodeDecodeError) as e:
            return _reject(
                request,
                client=client,
                code="malformed_envelope",
                status=400,
                outcome=PushOutcome.REJECTED_ENVELOPE,
                detail=str(e)[:100],
            )
        if kind not in RecordKind.values:
            return _reject(
                request,
                client=client,
                code="unknown_kind",
                status=400,
                outcome=PushOutcome.REJECTED_ENVELOPE,
                kind=str(kind)[:20],
            )
        if len(items) > services.MAX_BATCH:
            return _reject(
                request,
                client=client,
                code="too_many_records",
                status=400,
                outcome=PushOutcome.REJECTED_ENVELOPE,
                max=services.MAX_BATCH,
            )
        with acting_in(None), transaction.atomic():
            push = services.log_push(
                client=client,
                claimed=client.client_id,
                path=request.path,
                ip=client_ip(request),
                outcome=PushOutcome.ACCEPTED,
                http_status=200,
            )
            results = services.process_push(client=client, kind=kind, items=items, push=push)
        answer = {
            "push": push.pk,
            "applied": push.applied,
            "replayed": push.replayed,
            "dead_lettered": push.dead_lettered,
            "results": results,
        }
        if single and results[0]["status"] == "dead_letter":
            # One record, refused: answer as the error it is (it is on the dead-letter list).
            return Response({**answer, **results[0]}, status=422)
        return Response(answer)


def _push_view(kind_: str, name: str, summary: str):
    @extend_schema(
        tags=["exchange"],
        summary=summary,
        parameters=_HEADERS,
        request=inline_serializer(f"Exchange{name}Push", {"records": serializers.ListField()}),
        responses={200: _ANSWER, 400: ErrorSerializer, 401: ErrorSerializer, 422: _ANSWER},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return PushView.post(self, request, *args, **kwargs)

    return type(f"{name}PushView", (PushView,), {"kind": kind_, "post": post})


DeathPushView = _push_view(DEATH, "Death", "公安等部门推送死亡信息")
MovePushView = _push_view(MOVE, "Move", "推送居住地（网格、地址）变更")
MoveOutPushView = _push_view(MOVE_OUT, "MoveOut", "推送户籍迁出")
EmploymentPushView = _push_view(EMPLOYMENT, "Employment", "人社推送就业登记")
CertificatePushView = _push_view(CERTIFICATE, "Certificate", "部门推送证照信息")


class BatchPushView(PushView):
    """{"kind": "death", "records": [...]}: many records of one kind."""

    def _envelope(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("records"), list):
            raise ValueError("records")
        if not data["records"]:
            raise ValueError("records")
        return str(data.get("kind", "")), data["records"], False

    @extend_schema(
        tags=["exchange"],
        summary="批量推送（同一种类的多条记录）",
        parameters=_HEADERS,
        request=inline_serializer(
            "ExchangeBatchPush",
            {
                "kind": serializers.CharField(help_text=" | ".join(RecordKind.values)),
                "records": serializers.ListField(),
            },
        ),
        responses={200: _ANSWER, 400: ErrorSerializer, 401: ErrorSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
