"""The one place the portal decides what belongs to the signed-in resident.

A resident has no Staff profile, so the staff scope (`core.scope`) denies them every scoped
row: `Case.objects`, `Person.objects` … are empty for them. The portal therefore reads with the
explicit `.unscoped` managers, always filtered here by the signed-in person. A number taken
from a URL (case number, file id, complaint number) is only ever looked up through these
functions, and one that is not the resident's own answers 404 — the same as one that does not
exist, so guessing numbers tells nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from bianmin.cases.models import Case
from bianmin.evaluation.models import Complaint, ComplaintChannel, RectificationTask
from bianmin.portal.models import ResidentAccount, Upload
from bianmin.portal.services.accounts import resident_actor
from bianmin.registry.access import client_ip
from bianmin.registry.models import Organisation, Person
from bianmin.registry.models.organisations import OrganisationStatus


def resident_of(user) -> ResidentAccount | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.resident_account
    except ResidentAccount.DoesNotExist:
        return None


# What a resident signed in with a temporary password may open: setting a new one, signing out.
FIRST_PAGES = frozenset({"password", "logout"})


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with a resident account: `request.resident`, `request.person` and a resident
    `request.actor` are set. Anyone else goes to the portal's sign-in (a signed-in staff
    member is told to use a resident account)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = resident_of(request.user)
        if account is None:
            if request.user.is_authenticated:
                return render(request, "portal/not_resident.html", status=403)
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if account.must_change_password and request.resolver_match.url_name not in FIRST_PAGES:
            # A temporary password from a reset at the window: a new one before anything else.
            return redirect("portal:password")
        request.resident = account
        request.person = own_person(request)
        request.actor = resident_actor(request.person, request.user.pk, client_ip(request))
        try:
            return view(request, *args, **kwargs)
        except Http404:
            # The portal's own page (the project's 404 is the staff workbench's): the same
            # for a number that does not exist and one that is someone else's.
            return render(request, "portal/not_found.html", status=404)

    return wrapper


def own_person(request: HttpRequest) -> Person:
    """The signed-in resident's own registry record (not audited: the data subject reading
    their own record is not an access the log exists to account for)."""
    cached = getattr(request, "person", None)
    if cached is not None:
        return cached
    return Person.unscoped.select_related("residence_division", "grid", "household").get(
        pk=request.resident.person_id
    )


def own_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    """Organisations the resident legally represents (法定代表人): they act for them online."""
    return Organisation.unscoped.filter(
        legal_rep_id=request.resident.person_id, status=OrganisationStatus.ACTIVE
    ).order_by("name")


def _owner_q(request: HttpRequest) -> Q:
    person_id = request.resident.person_id
    return (
        Q(applicant_person_id=person_id)
        | Q(submitted_by_user_id=request.user.pk)
        | Q(applicant_org__legal_rep_id=person_id)
    )


def own_cases(request: HttpRequest) -> QuerySet[Case]:
    """Cases the resident applied for (at any window or online), filed on this account, or of
    an organisation they represent."""
    return (
        Case.unscoped.filter(_owner_q(request))
        .select_related("item__department", "org_unit", "applicant_org")
        .order_by("-submitted_at", "-id")
    )


def own_case(request: HttpRequest, case_no: str) -> Case:
    case = own_cases(request).filter(case_no=case_no).first()
    if case is None:
        raise Http404
    return case


def own_upload(request: HttpRequest, upload_id: int) -> Upload:
    upload = (
        Upload.objects.select_related("case")
        .filter(pk=upload_id, case__in=Case.unscoped.filter(_owner_q(request)).values("pk"))
        .first()
    )
    if upload is None:
        raise Http404
    return upload


def own_task(request: HttpRequest, case: Case) -> RectificationTask | None:
    """The rectification of the resident's bad rating of `case` (already owner-checked)."""
    return RectificationTask.unscoped.filter(case=case).select_related("rating").first()


def own_complaints(request: HttpRequest) -> QuerySet[Complaint]:
    return (
        Complaint.unscoped.filter(
            Q(complainant_person_id=request.resident.person_id)
            | Q(channel=ComplaintChannel.PORTAL, received_by_user_id=request.user.pk)
        )
        .select_related("case", "org_unit")
        .order_by("-opened_at", "-id")
    )


def own_complaint(request: HttpRequest, complaint_no: str) -> Complaint:
    complaint = own_complaints(request).filter(complaint_no=complaint_no).first()
    if complaint is None:
        raise Http404
    return complaint
