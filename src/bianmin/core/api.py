"""API plumbing shared by every app: the base views (scope activation, token authentication),
error answers, and the token endpoint.

Every API view derives from `ScopedAPIView` or `ScopedGenericViewSet` (a test walks the URL
tree to make sure), so the authenticated user's scope is active before any query runs.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.cache import patch_cache_control
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.viewsets import GenericViewSet

from bianmin.core.prepared import PreparedQuery

# --- Error answers --------------------------------------------------------------------------


def _validation_payload(error: DjangoValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        fields = {k: [str(m) for e in v for m in e.messages] for k, v in error.error_dict.items()}
        # The first field's first code, not the alphabetically first: it names the first problem.
        first_codes = [e.code for v in error.error_dict.values() for e in v if e.code]
        first = next(iter(fields.values()))[0]
        return {
            "detail": first,
            "code": first_codes[0] if first_codes else "invalid",
            "errors": fields,
        }
    messages = [str(m) for m in error.messages]
    codes = [e.code for e in error.error_list if e.code]
    return {"detail": "；".join(messages), "code": codes[0] if codes else "invalid"}


def _flatten(detail: Any) -> list[Any]:
    """DRF error details nest (lists of dicts for list fields); keep the leaf ErrorDetails."""
    if isinstance(detail, dict):
        return [leaf for v in detail.values() for leaf in _flatten(v)]
    if isinstance(detail, list):
        return [leaf for v in detail for leaf in _flatten(v)]
    return [detail]


def _drf_validation_payload(exc: exceptions.ValidationError) -> dict[str, Any]:
    detail = exc.detail
    if isinstance(detail, dict):
        fields = {k: [str(m) for m in _flatten(v)] for k, v in detail.items()}
        leaves = _flatten(detail)
        return {
            "detail": str(leaves[0]) if leaves else _("输入有误。"),
            "code": _first_code(leaves),
            "errors": fields,
        }
    leaves = _flatten(detail)
    return {
        "detail": "；".join(str(m) for m in leaves) or _("输入有误。"),
        "code": _first_code(leaves),
    }


def _first_code(leaves: list[Any]) -> str:
    return (getattr(leaves[0], "code", None) if leaves else None) or "invalid"


def exception_handler(exc, context):
    """Service-layer and DRF errors become one shape: `detail` (translated), a stable `code`,
    and for input errors `errors` by field."""
    if isinstance(exc, DjangoValidationError):
        return Response(_validation_payload(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        detail = str(exc) or _("没有权限。")
        return Response({"detail": detail, "code": "out_of_scope"}, status=403)
    if isinstance(exc, ObjectDoesNotExist):
        # Only a translatable message written for people is shown; Django's default
        # "X matching query does not exist." is English developer text.
        message = exc.args[0] if exc.args and isinstance(exc.args[0], Promise) else None
        detail = str(message) if message else _("未找到该记录。")
        return Response({"detail": detail, "code": "not_found"}, status=404)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = _drf_validation_payload(exc)
    else:
        code = exc.detail.code if hasattr(exc.detail, "code") else exc.default_code
        response.data = {"detail": str(exc.detail), "code": code or exc.default_code}
    return response


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer (documented once, referenced by every endpoint)."""

    detail = serializers.CharField(
        help_text="给人看的说明（默认简体中文，`Accept-Language: en` 为英文）"
    )
    code = serializers.CharField(help_text="稳定的机器可读代码，如 duplicate_id_number")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="按字段列出的输入错误",
    )


_ERROR_TEXT = {
    400: "输入有误（见 code 与 errors）",
    401: "未提供或无效的令牌",
    403: "无权限或不在管辖范围内（code=out_of_scope）",
    404: "记录不存在",
    429: "尝试过于频繁，请稍后再试",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses for `extend_schema(responses=...)`; 401 is added for every endpoint."""
    return {
        s: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT.get(s, ""))
        for s in (*statuses, 401)
    }


# --- Authentication and the base views ------------------------------------------------------


# Every API request runs it: compiled once (a five-table join costs more to build than to run).
_token_with_scope = PreparedQuery(
    lambda key: Token.objects.select_related("user__staff__org_unit__division").filter(key=key)
)


class ScopedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, loading the staff profile and its area in the same query:
    the scope is needed on every request, so it must not cost three more."""

    def authenticate_credentials(self, key):
        found = _token_with_scope(key)
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = found[0]
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)


class ScopedAPIMixin:
    """Mixed into every API view: activates the authenticated user's scope for the request.

    Token authentication happens inside the view, after the middleware ran, so the scope the
    middleware set (deny-all for a token request) is replaced here, in one place.
    """

    authentication_classes = [ScopedTokenAuthentication, SessionAuthentication]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        from bianmin.core.scope import current_scope
        from bianmin.registry.access import actor_for, client_ip, scope_for

        request.scope = scope_for(request.user)
        request.actor = actor_for(request.user, ip=client_ip(request))
        self._scope_token = current_scope.set(request.scope)

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_scope_token", None)
        if token is not None:
            from bianmin.core.scope import current_scope

            current_scope.reset(token)
            self._scope_token = None
        response = super().finalize_response(request, response, *args, **kwargs)
        # Answers carry personal data: no shared cache or browser history may keep them.
        patch_cache_control(response, no_store=True, private=True)
        return response


class ScopedAPIView(ScopedAPIMixin, APIView):
    """Base for single-purpose API views."""


class ScopedGenericViewSet(ScopedAPIMixin, GenericViewSet):
    """Base for API viewsets: add the action mixins (or plain methods) you need."""


# --- Token endpoint -------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


def issue_token(*, user) -> str:
    """The user's API token, created on first use (one per user; revoked by deleting it)."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


class LoginRateThrottle(SimpleRateThrottle):
    """Password guessing: at most 20 attempts a minute per account name and client address.

    Counted in the default cache; with a cache shared by all app servers (production) the
    limit holds across them, with the per-process default it holds per worker.
    """

    scope = "login"
    rate = "20/min"

    def get_cache_key(self, request, view) -> str:
        username = str(request.data.get("username", ""))[:150].strip().lower()
        return self.cache_format % {
            "scope": self.scope,
            "ident": f"{self.get_ident(request)}:{username}",
        }


class ObtainTokenView(ScopedAPIView):
    """Exchange a username and password for the API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        summary="获取 API 令牌",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            **error_responses(400, 429),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if user is None or not user.is_active:
            # One message for unknown user and wrong password: don't tell which accounts exist.
            raise DjangoValidationError(INVALID_CREDENTIALS, code="invalid_credentials")
        return Response({"token": issue_token(user=user)})


INVALID_CREDENTIALS = gettext_lazy("用户名或密码错误。")
