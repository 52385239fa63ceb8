"""Public pages of the hall, used without signing in: the display board (numbers and window
numbers only) and the self-service kiosk (take a number; check in an appointment with the ID
card). Nothing personal is shown; an ID number typed at the kiosk is hashed, never kept or
echoed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from bianmin.core.audit import Actor
from bianmin.core.errors import message_of
from bianmin.queueing import queries
from bianmin.queueing import services as svc
from bianmin.queueing.forms import KioskCheckInForm, KioskTicketForm
from bianmin.queueing.models import Hall, Ticket, WindowCategory
from bianmin.registry.access import client_ip


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


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _public_hall(hall_id)
    take_form, checkin_form, error = KioskTicketForm(), KioskCheckInForm(), ""
    if request.method == "POST":
        actor = _kiosk_actor(request, hall)
        try:
            if request.POST.get("action") == "check-in":
                checkin_form = KioskCheckInForm(request.POST)
                if checkin_form.is_valid():
                    ticket = svc.check_in_by_id(
                        actor=actor, hall=hall, id_number=checkin_form.cleaned_data["id_number"]
                    )
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
