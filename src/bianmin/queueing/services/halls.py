"""Setting up a hall: categories, windows, and opening and closing windows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.queueing import clock
from bianmin.queueing.models import Hall, Window, WindowCategory
from bianmin.queueing.services.common import ensure_hall_in_scope, error
from bianmin.registry.models import OrgUnit, OrgUnitKind


@transaction.atomic
def create_hall(*, actor: Actor, org_unit: OrgUnit, name: str, no_show_after: int = 3) -> Hall:
    if org_unit.kind != OrgUnitKind.SERVICE_CENTRE:
        raise error("not_a_centre", "org_unit")
    hall = Hall(
        org_unit=org_unit,
        name=name.strip(),
        area_code=org_unit.division.prefix,
        no_show_after=no_show_after,
    )
    ensure_hall_in_scope(hall)
    hall.full_clean()
    hall.save()
    audit.record(
        actor, AuditAction.CREATE, object_type="queue_hall", object_id=hall.pk, object_label=name
    )
    return hall


@transaction.atomic
def create_category(
    *,
    actor: Actor,
    hall: Hall,
    code: str,
    name: str,
    department_codes: Iterable[str] = (),
    daily_limit: int | None = None,
    default_service_minutes: int = 8,
) -> WindowCategory:
    ensure_hall_in_scope(hall)
    category = WindowCategory(
        hall=hall,
        code=code.strip().upper(),
        name=name.strip(),
        daily_limit=daily_limit,
        default_service_minutes=default_service_minutes,
    )
    category.full_clean()
    category.save()
    category.departments.set(list(department_codes))
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="queue_category",
        object_id=category.pk,
        object_label=f"{hall.name} {category}",
    )
    return category


@transaction.atomic
def create_window(
    *, actor: Actor, hall: Hall, number: int, categories: Iterable[WindowCategory], label: str = ""
) -> Window:
    ensure_hall_in_scope(hall)
    categories = list(categories)
    if any(c.hall_id != hall.pk for c in categories):
        raise error("window_category_other_hall", "categories")
    window = Window(hall=hall, number=number, label=label.strip())
    window.full_clean()
    window.save()
    window.categories.set(categories)
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="queue_window",
        object_id=window.pk,
        object_label=f"{hall.name} {window}",
    )
    return window


def _locked_window(window: Window) -> Window:
    locked = Window.objects.select_for_update().get(pk=window.pk)
    ensure_hall_in_scope(Hall.objects.get(pk=locked.hall_id))
    return locked


@transaction.atomic
def open_window(*, actor: Actor, window: Window) -> Window:
    """The clerk signs in at the window: from now on it calls tickets, under their name."""
    window = _locked_window(window)
    window.is_open, window.staff_id, window.opened_at = True, actor.user_id, clock.now()
    window.save(update_fields=["is_open", "staff", "opened_at"])
    return window


@transaction.atomic
def close_window(*, actor: Actor, window: Window) -> Window:
    """Pause the window (暂停服务). A ticket still at the window stays with it until finished."""
    window = _locked_window(window)
    window.is_open = False
    window.save(update_fields=["is_open"])
    return window


@transaction.atomic
def set_category_accepting(*, actor: Actor, category: WindowCategory, accepting: bool) -> None:
    ensure_hall_in_scope(category.hall)
    WindowCategory.objects.filter(pk=category.pk).update(accepting=accepting)
    category.accepting = accepting
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="queue_category",
        object_id=category.pk,
        object_label=str(category),
        changes={"accepting": accepting},
    )
