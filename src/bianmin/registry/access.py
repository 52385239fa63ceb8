"""Who may see what: a staff member's scope, and the actor record used by the audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from bianmin.core.audit import Actor
from bianmin.core.scope import DENY_ALL, Scope
from bianmin.registry.models import Role, Staff

# Roles whose work is city-wide supervision or administration see their whole area subtree;
# everyone else too — the area is what differs. Department restricts department-owned data.
_DEPARTMENT_BOUND = {Role.DEPT_REVIEWER, Role.DOCTOR}


def staff_of(user: AbstractBaseUser | AnonymousUser | None) -> Staff | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.staff
    except Staff.DoesNotExist:
        return None


def scope_for(user: AbstractBaseUser | AnonymousUser | None) -> Scope:
    if user is None or not user.is_authenticated:
        return DENY_ALL
    staff = staff_of(user)
    if staff is None:
        return Scope(area_prefix="", user_id=user.pk) if user.is_superuser else DENY_ALL
    department = staff.department_id if staff.role in _DEPARTMENT_BOUND else None
    return Scope(
        area_prefix=staff.org_unit.division.prefix,
        department_code=department,
        user_id=user.pk,
        org_unit_code=staff.org_unit_id,
    )


def actor_for(user, *, ip: str | None = None, purpose: str = "") -> Actor:
    staff = staff_of(user)
    if staff is not None:
        return Actor(user.pk, staff.display_name, staff.org_unit_id, ip, purpose)
    if user is not None and user.is_authenticated:
        return Actor(user.pk, user.get_username(), "", ip, purpose)
    return Actor(None, "anonymous", "", ip, purpose)


def client_ip(request) -> str | None:
    # Behind the load balancer the first X-Forwarded-For hop is the client; trusted only
    # because production terminates TLS at our own proxy (see docs/deploy.md).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")
