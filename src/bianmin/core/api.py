"""API plumbing shared by every app: permissions, scope activation, and error answers."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _validation_payload(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        fields = {k: [str(m) for e in v for m in e.messages] for k, v in error.error_dict.items()}
        codes = sorted({e.code for v in error.error_dict.values() for e in v if e.code})
        first = next(iter(fields.values()))[0]
        return {"detail": first, "code": codes[0] if codes else "invalid", "errors": fields}
    messages = [str(m) for m in error.messages]
    codes = [e.code for e in error.error_list if e.code]
    return {"detail": "；".join(messages), "code": codes[0] if codes else "invalid"}


def exception_handler(exc, context):
    """Service-layer errors become 400/403/404 with a translated `detail` and a stable `code`."""
    if isinstance(exc, DjangoValidationError):
        return Response(_validation_payload(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied) and not isinstance(exc, exceptions.APIException):
        detail = str(exc) or _("没有权限。")
        return Response({"detail": detail, "code": "out_of_scope"}, status=403)
    if isinstance(exc, ObjectDoesNotExist):
        return Response({"detail": _("未找到该记录。"), "code": "not_found"}, status=404)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        data = response.data
        if isinstance(data, dict) and "code" not in data:
            codes = exc.get_codes()
            data["code"] = codes if isinstance(codes, str) else "invalid"
            if "detail" not in data:
                first = next(iter(data.values()), "")
                data = {"detail": str(first[0] if isinstance(first, list) else first), **data}
            response.data = data
    return response


class ScopedAPIMixin:
    """Mixed into every API view: activates the authenticated user's scope for the request.

    Token authentication happens inside the view, after the middleware ran, so the scope the
    middleware set (deny-all for a token request) is replaced here, in one place.
    """

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
        return super().finalize_response(request, response, *args, **kwargs)
