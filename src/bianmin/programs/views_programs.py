"""Program definitions (list, detail) and coverage for supervisors, with drill-down."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.programs import queries, rules, visitforms
from bianmin.programs.forms import CoverageForm
from bianmin.programs.models import Enrolment, EnrolmentStatus
from bianmin.programs.views import program_by_code, role_of
from bianmin.workbench.common import staff_required

BEHIND_SHOWN = 200


@staff_required
def program_list(request: HttpRequest) -> HttpResponse:
    programs = list(queries.programs_for_role(None).select_related("restricted_to"))
    counts = dict(
        Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE)
        .values("program_id")
        .annotate(n=Count("id"))
        .values_list("program_id", "n")
    )
    for p in programs:
        p.active_count = counts.get(p.pk, 0)
    return render(request, "programs/list.html", {"programs": programs})


def describe_schedule(program) -> str:
    if program.schedule_kind == "every_n_months":
        return _("每%(n)s个月随访一次") % {"n": program.interval_months}
    if program.schedule_kind == "yearly":
        return _("每年一次，于%(day)s前完成") % {"day": program.yearly_due}
    months = "、".join(str(o) for o in program.plan_offsets)
    anchor = program.get_plan_anchor_display()
    return _("按计划时点：%(anchor)s后第%(months)s个月") % {"anchor": anchor, "months": months}


@staff_required
def program_detail(request: HttpRequest, code: str) -> HttpResponse:
    program = program_by_code(code)
    context = {
        "program": program,
        "rule": [label for label, _q in rules.clauses(program.eligibility)],
        "schedule": describe_schedule(program),
        "fields": visitforms.fields_of(program.form_schema),
        "counted": list(program.counted_kinds),
        "mine": role_of(request) in (None, "admin", program.responsible_role)
        or not program.responsible_role,
    }
    return render(request, "programs/detail.html", context)


@staff_required
def coverage(request: HttpRequest, code: str) -> HttpResponse:
    program = program_by_code(code)
    form = CoverageForm(request.GET or None)
    c = form.cleaned_data if form.is_valid() else {}
    status = 200
    try:
        report = queries.coverage(
            program=program,
            area_code=c.get("area") or None,
            start=c.get("start"),
            end=c.get("end"),
        )
    except ValidationError as e:
        form.add_error(None, e)
        report, status = None, 400
    if report is not None and not form.is_bound:
        form = CoverageForm(initial={"start": report.start, "end": report.end})
    behind = []
    if report is not None and report.behind:
        behind = list(
            Enrolment.objects.filter(pk__in=report.behind[:BEHIND_SHOWN])
            .select_related("person")
            .order_by("area_code", "next_due_on")
        )
    context = {
        "program": program,
        "form": form,
        "report": report,
        "behind": behind,
        "behind_more": max(0, len(report.behind) - BEHIND_SHOWN) if report else 0,
        "today": timezone.localdate(),
    }
    return render(request, "programs/coverage.html", context, status=status)
