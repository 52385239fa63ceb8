"""`access_*`: fetch one hall, window, ticket or appointment for a staff page or the API, with
the scope check (a clerk acts only on the halls of their own area)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.queueing.models import Appointment, Hall, Ticket, Window
from bianmin.queueing.services.common import ensure_hall_in_scope


def access_hall(*, actor: Actor, hall_id: int) -> Hall:
    hall = Hall.objects.select_related("org_unit").filter(pk=hall_id).first()
    if hall is None:
        raise Hall.DoesNotExist(_("未找到该办事大厅。"))
    ensure_hall_in_scope(hall)
    return hall


def access_window(*, actor: Actor, window_id: int) -> Window:
    window = Window.objects.select_related("hall", "staff__staff").filter(pk=window_id).first()
    if window is None:
        raise Window.DoesNotExist(_("未找到该窗口。"))
    ensure_hall_in_scope(window.hall)
    return window


def access_ticket(*, actor: Actor, ticket_id: int) -> Ticket:
    ticket = (
        Ticket.unscoped.select_related("hall", "category", "window").filter(pk=ticket_id).first()
    )
    if ticket is None:
        raise Ticket.DoesNotExist(_("未找到该排队号。"))
    ensure_hall_in_scope(ticket.hall)
    return ticket


def access_appointment(*, actor: Actor, appointment_id: int) -> Appointment:
    appointment = (
        Appointment.unscoped.select_related("hall", "slot__category")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise Appointment.DoesNotExist(_("未找到该预约。"))
    ensure_hall_in_scope(appointment.hall)
    return appointment
