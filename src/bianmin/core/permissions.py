from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


class IsStaffMember(permissions.BasePermission):
    """Authenticated staff with a profile (the registry's Staff) or a superuser."""

    message = _("需要工作人员账号登录。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and (user.is_superuser or hasattr(user, "staff"))
        )
