from __future__ import annotations

from bianmin.core.scope import DENY_ALL, current_scope
from bianmin.registry.access import actor_for, client_ip, scope_for


class StaffScopeMiddleware:
    """Every web request runs with a scope: deny-all until a staff member is signed in.

    Session users get their scope here; token-authenticated API users get theirs in
    `ScopedAPIMixin.initial`, after DRF has authenticated them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        scope = scope_for(user) if user is not None and user.is_authenticated else DENY_ALL
        token = current_scope.set(scope)
        request.scope = scope
        request.actor = actor_for(user, ip=client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_scope.reset(token)
