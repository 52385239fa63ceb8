"""What the counter pages share: who may open which page, the acting staff member, and how a
service's refusal becomes a message on the page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.core.errors import message_of
from bianmin.registry.models import Role, Staff
from bianmin.workbench.common import staff_required

# Who uses which page. An administrator may open every page; a superuser without a staff
# record may look but the services refuse to act for them (no org unit, no department).
INTAKE = frozenset({Role.WINDOW_CLERK, Role.VILLAGE_AGENT, Role.DEPT_REVIEWER})
CASEWORK = frozenset({Role.WINDOW_CLERK, Role.VILLAGE_AGENT, Role.DEPT_REVIEWER, Role.SUPERVISOR})
SUPERVISION = frozenset({Role.SUPERVISOR})


def staff_of(request: HttpRequest) -> Staff | None:
    # Loaded (with org unit and division) by the scope middleware already: no query.
    return getattr(request.user, "staff", None) if request.user.is_authenticated else None


def role_of(request: HttpRequest) -> str:
    staff = staff_of(request)
    if staff is None:
        return Role.ADMIN if request.user.is_superuser else ""
    return staff.role


def roles_required(roles: Iterable[str]) -> Callable:
    """A page for these roles (and administrators); everyone else gets a 403 that says why."""
    allowed = frozenset(roles) | {Role.ADMIN}

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @staff_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role_of(request) not in allowed:
                raise PermissionDenied(_("您的岗位不使用此页面。"))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def actor_of(request: HttpRequest) -> Actor:
    """The request's actor carrying its Staff row, so services do not read it again."""
    staff = staff_of(request)
    if staff is None:
        return request.actor
    return replace(request.actor, extra={**request.actor.extra, "staff": staff})


def error_text(error: Exception) -> str:
    """A service's refusal as one line for the page (its zh-Hans / English message)."""
    if isinstance(error, ValidationError):
        return message_of(error)
    if error.args:
        return "；".join(str(a) for a in error.args)
    return str(_("无权办理此项操作。"))
