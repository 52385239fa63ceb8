from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.programs.models import Program
from bianmin.registry.models import OrgUnit, Role, Staff


def staff_of_actor(actor: Actor) -> Staff | None:
    if actor.user_id is None:
        return None
    return Staff.objects.select_related("org_unit").filter(user_id=actor.user_id).first()


def check_grant(actor: Actor, program: Program) -> Staff | None:
    """The acting staff member, if they may work on the program: the responsible role (or an
    administrator), within the program's department if it is restricted. The system (CLI,
    jobs, loaders) may always."""
    if actor.user_id is None:
        return None
    staff = staff_of_actor(actor)
    if staff is None:
        if get_user_model().objects.filter(pk=actor.user_id, is_superuser=True).exists():
            return None
        raise PermissionDenied(_("您没有随访服务的权限。"))
    if staff.role == Role.ADMIN:
        return staff
    if program.responsible_role and staff.role != program.responsible_role:
        raise PermissionDenied(
            _("「%(program)s」由%(role)s负责，您没有该项目的权限。")
            % {"program": program.name, "role": Role(program.responsible_role).label}
        )
    if program.restricted_to_id and staff.department_id != program.restricted_to_id:
        raise PermissionDenied(
            _("「%(program)s」仅限%(dept)s办理。")
            % {"program": program.name, "dept": program.restricted_to.name}
        )
    return staff


def responsible_unit(program: Program, area_code: str) -> OrgUnit | None:
    """The unit of the program's kind whose area is the closest ancestor of `area_code`."""
    if not program.responsible_unit_kind or not area_code:
        return None
    prefixes = [area_code[:n] for n in (2, 4, 6, 9, 12) if n <= len(area_code)]
    units = OrgUnit.objects.filter(
        kind=program.responsible_unit_kind, division__prefix__in=prefixes
    ).select_related("division")
    if program.restricted_to_id:
        units = units.filter(department_id=program.restricted_to_id)
    return max(units, key=lambda u: (len(u.division.prefix), u.code), default=None)
