"""Workbench home: who I am, what is in my area, and the 一号 look-up box."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.models import Division, Grid, Household, Organisation, Person
from bianmin.registry.services.people import lookup_person
from bianmin.workbench.common import apply_errors, staff_required
from bianmin.workbench.forms import LookupForm


def my_area(request: HttpRequest) -> Division | None:
    """The division a user is responsible for; a superuser (no staff record) gets the city."""
    staff = getattr(request.user, "staff", None)
    if staff is not None:
        return staff.org_unit.division
    return Division.objects.filter(code=settings.BIANMIN["HOME_CITY_CODE"]).first()


def recently_read(user_id: int, limit: int = 8) -> list[dict]:
    """The people this user opened last, newest first, from their own audit trail (the
    labels there are already masked)."""
    rows = AuditEntry.objects.filter(
        actor_id=user_id, object_type="person", action=AuditAction.READ
    ).values("object_id", "object_label", "at")[: limit * 5]
    seen: set[str] = set()
    recent = []
    for row in rows:
        if row["object_id"] not in seen:
            seen.add(row["object_id"])
            recent.append(row)
    return recent[:limit]


def _home(request: HttpRequest, form: LookupForm, status: int = 200) -> HttpResponse:
    # Every count goes through the scoped managers: it is "in my area" without saying so.
    counts = {
        "people": Person.objects.count(),
        "households": Household.objects.count(),
        "organisations": Organisation.objects.count(),
        "grids": Grid.objects.count(),
    }
    context = {
        "form": form,
        "counts": counts,
        "area": my_area(request),
        "recent": recently_read(request.user.pk),
    }
    return render(request, "workbench/home.html", context, status=status)


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return _home(request, LookupForm())


@never_cache
@require_POST
@staff_required
def lookup(request: HttpRequest) -> HttpResponse:
    """一号查询. The number comes in the POST body and leaves as a redirect to the profile's
    numeric id, so it is never in a URL, a browser history or an access log."""
    form = LookupForm(request.POST)
    if form.is_valid():
        try:
            person = lookup_person(actor=request.actor, id_number=form.cleaned_data["id_number"])
        except ValidationError as e:
            apply_errors(form, ValidationError({"id_number": e.messages}))
        except Person.DoesNotExist as e:
            form.add_error("id_number", str(e.args[0]) if e.args else "")
        else:
            return redirect("workbench:person", pk=person.pk)
    return _home(request, form, status=200)
