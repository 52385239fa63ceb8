"""Staff pages of the programs engine: the worker's 随访待办, the visit form, a person's
follow-ups. Program definitions and coverage are in views_programs."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.programs import queries, visitforms
from bianmin.programs.forms import DATA_PREFIX, EnrolForm, ExitForm, VisitForm
from bianmin.programs.models import Enrolment, Program
from bianmin.programs.services import enrol, exit_enrolment, record_visit
from bianmin.programs.services.common import check_grant
from bianmin.registry.access import staff_of
from bianmin.registry.models import Person
from bianmin.registry.services.people import access_person
from bianmin.workbench.common import PAGE_SIZE, apply_errors, list_page, staff_required


def role_of(request: HttpRequest) -> str | None:
    staff = staff_of(request.user)
    return staff.role if staff is not None else None


@staff_required
def due(request: HttpRequest) -> HttpResponse:
    bucket = request.GET.get("bucket", "all")
    if bucket not in queries.BUCKETS:
        bucket = "all"
    role = role_of(request)
    programs = list(queries.programs_for_role(role))
    program = next((p for p in programs if p.code == request.GET.get("program")), None)
    today = timezone.localdate()
    counts = queries.due_counts(role=role, program=program, on=today)
    ids = queries.due_list(bucket=bucket, program=program, role=role, on=today)
    paginator = Paginator(ids.values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = counts[bucket]  # known from the tiles: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = queries.with_details(list(page.object_list))
    for e in page.object_list:
        e.days_late = (today - e.next_due_on).days if e.next_due_on < today else 0
    context = {
        "page": page,
        "bucket": bucket,
        "program": program,
        "programs": programs,
        "counts": counts,
        "query": f"bucket={bucket}" + (f"&program={program.code}" if program else ""),
        "today": today,
    }
    return list_page(request, "programs/due.html", "programs/partials/due_results.html", context)


def _enrolment(request: HttpRequest, pk: int) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("program", "person", "responsible_unit")
        .filter(pk=pk)
        .first()
    )
    if enrolment is None:
        raise Http404
    # The page shows the person's record: an audited read.
    access_person(actor=request.actor, person_id=enrolment.person_id, purpose=_("随访"))
    return enrolment


def _history(enrolment: Enrolment, limit: int = 20) -> list[dict]:
    fields = visitforms.fields_of(enrolment.program.form_schema)
    outcomes = {str(o[0]): o[1] for o in enrolment.program.outcomes}
    rows = []
    for v in queries.visits_of(enrolment)[:limit]:
        rows.append(
            {
                "visit": v,
                "outcome": outcomes.get(v.outcome, v.outcome),
                "answers": [
                    (f["label"], visitforms.display_value(f, v.data.get(f["key"])))
                    for f in fields
                    if f["key"] in v.data
                ],
            }
        )
    return rows


@staff_required
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _enrolment(request, pk)
    program = enrolment.program
    check_grant(request.actor, program)  # no form for a role the program is not for
    form = VisitForm(request.POST or None, program=program)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            try:
                record_visit(
                    actor=request.actor,
                    enrolment=enrolment,
                    visited_on=c["visited_on"],
                    kind=c["kind"],
                    data=form.answers(),
                    outcome=c.get("outcome", ""),
                    notes=c.get("notes", ""),
                    next_due_on=c.get("next_due_on"),
                )
            except ValidationError as e:
                apply_errors(form, _data_errors(e, form.data_keys))
            else:
                messages.success(
                    request,
                    _("已登记%(name)s的随访。") % {"name": enrolment.person.name},
                )
                return redirect("programs:person", enrolment.person_id)
        status = 400
    context = {"enrolment": enrolment, "form": form, "history": _history(enrolment, 5)}
    return render(request, "programs/visit_form.html", context, status=status)


def _data_errors(error: ValidationError, keys: list[str]) -> ValidationError:
    """The service names answers by their schema key; the form's fields carry a prefix."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {(DATA_PREFIX + k if k in keys else k): v for k, v in error.error_dict.items()}
    )


@staff_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    if not Person.objects.filter(pk=person_id).exists():
        if Person.unscoped.filter(pk=person_id).exists():
            from bianmin.core.errors import OutOfScope

            raise OutOfScope()
        raise Http404
    subject = access_person(actor=request.actor, person_id=person_id, purpose=_("随访档案"))
    programs = queries.programs_for_role(role_of(request))
    enrol_form = EnrolForm(
        request.POST if request.POST.get("action") == "enrol" else None, programs=programs
    )
    exit_form = ExitForm(request.POST if request.POST.get("action") == "exit" else None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "enrol" and enrol_form.is_valid():
                c = enrol_form.cleaned_data
                enrol(
                    actor=request.actor,
                    program=c["program"],
                    person=subject,
                    enrolled_on=c["enrolled_on"],
                    note=c["note"],
                )
                messages.success(request, _("已纳入“%(p)s”。") % {"p": c["program"].name})
                return redirect("programs:person", person_id)
            if request.POST.get("action") == "exit" and exit_form.is_valid():
                e = get_object_or_404(
                    Enrolment.objects, pk=request.POST.get("enrolment"), person_id=person_id
                )
                c = exit_form.cleaned_data
                exit_enrolment(
                    actor=request.actor, enrolment=e, reason=c["reason"], on=c["on"], note=c["note"]
                )
                messages.success(request, _("已结案“%(p)s”。") % {"p": e.program.name})
                return redirect("programs:person", person_id)
        except ValidationError as err:
            apply_errors(enrol_form if request.POST.get("action") == "enrol" else exit_form, err)
        status = 400
    enrolments = list(queries.person_enrolments(subject))
    for e in enrolments:
        e.history = _history(e)
    context = {
        "subject": subject,
        "enrolments": enrolments,
        "enrol_form": enrol_form,
        "exit_form": exit_form,
        "today": timezone.localdate(),
    }
    return render(request, "programs/person.html", context, status=status)


def program_by_code(code: str) -> Program:
    program = Program.objects.filter(code=code).first()
    if program is None:
        raise Http404
    return program


def parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
