from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.registry.models import Department, Role, Staff


def staff_of(actor: Actor) -> Staff | None:
    if actor.user_id is None:
        return None
    return (
        Staff.objects.select_related("department", "org_unit__division")
        .filter(user_id=actor.user_id)
        .first()
    )


def department_of(actor: Actor) -> Department | None:
    staff = staff_of(actor)
    return staff.department if staff is not None else None


def require_department_staff(actor: Actor) -> Staff:
    """A staff member who acts for a department (or an administrator)."""
    staff = staff_of(actor)
    if staff is None:
        raise PermissionDenied(_("需要工作人员账号办理。"))
    if staff.department_id is None and staff.role != Role.ADMIN:
        raise PermissionDenied(_("您的账号不属于任何部门，不能办理数据共享事务。"))
    return staff


def is_admin(staff: Staff) -> bool:
    return staff.role == Role.ADMIN
