"""Public pages of the hall, used without signing in: the display board (numbers and window
numbers only) and the self-service kiosk (take a number; check in an appointment with the ID
card). Nothing personal is shown; an ID number typed at the kiosk is hashed, never kept or
echoed."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.core import audit, ratelimit
from bianmin.core.audit import Actor
from bianmin.core.errors import message_of
from bianmin.core.models import AuditAction
from bianmin.queueing import kiosk_device, queries
from bianmin.queueing import services as svc
from bianmin.queueing.forms import KioskCheckInForm, KioskTicketForm
from bianmin.queueing.models import Hall, Ticket, WindowCategory
from bianmin.registry.access import client_ip
from bianmin.workbench.common import is_staff_member, staff_required


def _public_hall(hall_id: int) -> Hall:
    hall = Hall.objects.select_related("org_unit").filter(pk=hall_id, is_active=True).first()
    if hall is None:
        raise Http404
    return hall


def _kiosk_actor(request: HttpRequest, hall: Hall) -> Actor:
    # Who took the number is the machine in the hall; the audit log says which one.
    return Actor(None, f"自助取号机（{hall.name}）", hall.org_unit_id, client_ip(request))


@require_GET
def board(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _public_hall(hall_id)
    context = {
        "hall": hall,
        "calls": queries.recent_calls(hall=hall),
        "live": queries.hall_live(hall=hall),
    }
    template = "queueing/partials/board_live.html" if request.htmx else "queueing/board.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _slip(request: HttpRequest, hall: Hall, ticket: Ticket) -> HttpResponse:
    live = {row.category.pk: row for row in queries.hall_live(hall=hall)}
    row = live.get(ticket.category_id)
    ahead = max((row.today.waiting - 1) if row else 0, 0)
    context = {"hall": hall, "ticket": ticket, "ahead": ahead, "live": row}
    return render(request, "queueing/kiosk_slip.html", context)


def _not_a_kiosk(request: HttpRequest, hall: Hall) -> HttpResponse:
    context = {"hall": hall, "can_enrol": _may_enrol(request, hall)}
    return render(request, "queueing/kiosk_not_enrolled.html", context, status=403)


def _may_enrol(request: HttpRequest, hall: Hall) -> bool:
    if not request.user.is_authenticated or not is_staff_member(request.user):
        return False
    try:
        svc.access_hall(actor=request.actor, hall_id=hall.pk)
    except (Hall.DoesNotExist, PermissionDenied):
        return False
    return True


@staff_required
@require_POST
def kiosk_enrol(request: HttpRequest, hall_id: int) -> HttpResponse:
    """登记自助终端: the signed-in staff member of the hall's centre makes this browser a kiosk."""
    try:
        hall = svc.access_hall(actor=request.actor, hall_id=hall_id)
    except Hall.DoesNotExist:
        raise Http404 from None
    device = secrets.token_hex(6)
    audit.record(
        request.actor,
        AuditAction.CREATE,
        object_type="queue_kiosk",
        object_id=f"{hall.pk}:{device}",
        object_label=_("%(hall)s 自助终端 %(device)s") % {"hall": hall.name, "device": device},
    )
    response = redirect("queueing:kiosk", hall_id=hall.pk)
    kiosk_device.enrol(response, hall_id=hall.pk, device=device)
    return response


def _check_in(request: HttpRequest, hall: Hall, actor: Actor, device: str, id_number: str):
    brake = f"{hall.pk}:{device}"
    if ratelimit.blocked("kiosk_checkin", brake):
        raise ValidationError(
            _("签到失败次数过多，请稍后再试或到咨询台办理。"), code="kiosk_checkin_blocked"
        )
    try:
        return svc.check_in_by_id(actor=actor, hall=hall, id_number=id_number)
    except ValidationError:
        ratelimit.count("kiosk_checkin", brake)
        raise


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _public_hall(hall_id)
    device = kiosk_device.device_of(request, hall_id=hall.pk)
    if device is None:
        return _not_a_kiosk(request, hall)
    take_form, checkin_form, error = KioskTicketForm(), KioskCheckInForm(), ""
    if request.method == "POST":
        actor = _kiosk_actor(request, hall)
        try:
            if request.POST.get("action") == "check-in":
                checkin_form = KioskCheckInForm(request.POST)
                if checkin_form.is_valid():
                    number = checkin_form.cleaned_data["id_number"]
                    ticket = _check_in(request, hall, actor, device, number)
                    return _slip(request, hall, ticket)
            else:
                take_form = KioskTicketForm(request.POST)
                if take_form.is_valid():
                    category = WindowCategory.objects.filter(
                        pk=take_form.cleaned_data["category"], hall=hall
                    ).first()
                    if category is None:
                        raise svc.error("unknown_category")
                    category.hall = hall
                    ticket = svc.take_ticket(
                        actor=actor,
                        category=category,
                        id_number=take_form.cleaned_data["id_number"],
                    )
                    return _slip(request, hall, ticket)
        except ValidationError as e:
            error = message_of(e)
        # The number typed is never sent back to the screen.
        take_form, checkin_form = KioskTicketForm(), KioskCheckInForm()
    context = {
        "hall": hall,
        "live": queries.hall_live(hall=hall),
        "take_form": take_form,
        "checkin_form": checkin_form,
        "error": error,
    }
    return render(request, "queueing/kiosk.html", context, status=400 if error else 200)
