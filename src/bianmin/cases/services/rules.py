"""Who may take which item in, where: used by intake and by acceptance of waiting cases."""

from __future__ import annotations

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case, IntakeChannel
from bianmin.cases.services.precheck import Applicant
from bianmin.catalog.models import AcceptLevel, Material, ProcessStep, ServiceItem
from bianmin.registry.models import DivisionLevel, Role, Staff

INTAKE_ROLES = (Role.WINDOW_CLERK, Role.VILLAGE_AGENT, Role.DEPT_REVIEWER)

_LEVEL = {
    DivisionLevel.PROVINCE: AcceptLevel.CITY,
    DivisionLevel.CITY: AcceptLevel.CITY,
    DivisionLevel.COUNTY: AcceptLevel.DISTRICT,
    DivisionLevel.TOWN: AcceptLevel.TOWN,
    DivisionLevel.VILLAGE: AcceptLevel.VILLAGE,
}


def items_for_intake() -> QuerySet[ServiceItem]:
    """Items with everything precheck and acceptance read, in four queries."""
    return ServiceItem.objects.select_related("department").prefetch_related(
        "materials", "steps", "eligible_tags"
    )


# An item version never changes once written (an edit writes the next version), so each
# process keeps the versions it has loaded — materials, steps and tags — instead of four
# queries per intake. Any save or delete of catalogue rows in this process empties the cache
# (signals below); the time limit bounds what another process's in-place fix could leave.
ITEM_CACHE_SECONDS = 300.0
_items: dict[int, tuple[float, ServiceItem]] = {}


def item_version(pk: int) -> ServiceItem:
    now = time.monotonic()
    hit = _items.get(pk)
    if hit is not None and now - hit[0] < ITEM_CACHE_SECONDS:
        return hit[1]
    item = items_for_intake().get(pk=pk)
    if len(_items) > 1000:
        _items.clear()
    _items[pk] = (now, item)
    return item


# Which version of a code is current does change (publishing a new version retires the old
# one), so that answer is kept only briefly: a process may take an application in under the
# version retired up to this many seconds ago by another process — as if it had arrived that
# much earlier. A save in this process forgets it at once (signals below).
CURRENT_CACHE_SECONDS = 10.0
_current: dict[str, tuple[float, int | None]] = {}


def current_version_pk(code: str) -> int | None:
    """The pk of the current version of an item code (None: unknown or retired)."""
    now = time.monotonic()
    hit = _current.get(code)
    if hit is not None and now - hit[0] < CURRENT_CACHE_SECONDS:
        return hit[1]
    pk = (
        ServiceItem.objects.filter(code=code, is_current=True)
        .order_by()
        .values_list("pk", flat=True)
        .first()
    )
    if len(_current) > 1000:
        _current.clear()
    _current[code] = (now, pk)
    return pk


def forget_items(**_kwargs) -> None:
    _items.clear()
    _current.clear()


for _model in (ServiceItem, Material, ProcessStep):
    _uid = f"cases-items-{_model.__name__}"
    post_save.connect(forget_items, sender=_model, dispatch_uid=f"{_uid}-save")
    post_delete.connect(forget_items, sender=_model, dispatch_uid=f"{_uid}-delete")
m2m_changed.connect(
    forget_items, sender=ServiceItem.eligible_tags.through, dispatch_uid="cases-items-tags"
)


def item_of(case: Case) -> ServiceItem:
    """The exact item version the case was filed under, prefetched."""
    return item_version(case.item_id)


def applicant_of(case: Case) -> Applicant:
    if case.applicant_person_id is not None:
        return Applicant(person=case.applicant_person)
    return Applicant(organisation=case.applicant_org)


def staff_level(staff: Staff) -> str:
    return _LEVEL[staff.org_unit.division.level]


def check_acceptable_here(
    item: ServiceItem, staff: Staff, channel: str, *, filed: bool = False
) -> None:
    """The item is current (unless the case was already filed under it) and may be taken in
    at this staff member's level; the village level only through a village agent (代办)."""
    if not filed and not item.is_current:
        raise ValidationError(
            _("事项“%(item)s”的该版本已停用，请按现行版本受理。"),
            code="item_not_current",
            params={"item": item.name},
        )
    if channel == IntakeChannel.AGENT and staff.role not in (Role.VILLAGE_AGENT, Role.ADMIN):
        raise PermissionDenied(_("代办申请须由村（社区）代办员提交。"))
    if channel == IntakeChannel.WINDOW and staff.role == Role.VILLAGE_AGENT:
        raise PermissionDenied(_("代办员请以“代办”渠道提交申请。"))
    if staff.role == Role.DEPT_REVIEWER and staff.department_id != item.department_id:
        raise PermissionDenied(_("部门窗口只能受理本部门的事项。"))
    level = staff_level(staff)
    allowed = set(item.accept_levels or [])
    ok = level in allowed and (level != AcceptLevel.VILLAGE or channel == IntakeChannel.AGENT)
    if not ok:
        raise ValidationError(
            _("事项“%(item)s”不能在%(level)s受理（可受理层级：%(levels)s）。"),
            code="item_not_acceptable_here",
            params={
                "item": item.name,
                "level": AcceptLevel(level).label,
                "levels": "、".join(str(AcceptLevel(v).label) for v in item.accept_levels) or "无",
            },
        )


def channel_of(staff: Staff) -> str:
    """The channel a staff member acts through when finishing intake of a waiting case."""
    return IntakeChannel.AGENT if staff.role == Role.VILLAGE_AGENT else IntakeChannel.WINDOW
