"""Doctors' and supervisors' pages: due list, records, visit form, referrals, contracts,
indicators with drill-down. Every write goes through a service; every record shown is read
through `access_record` (audited)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bianmin.core.excel import export_filename, xlsx_response
from bianmin.core.scope import current_scope
from bianmin.health import exports, indicators
from bianmin.health.models import (
    Contract,
    HealthRecord,
    Referral,
    ReferralStatus,
)
from bianmin.health.programs import record_follow_up
from bianmin.health.services import care, records
from bianmin.indicators import engine, library
from bianmin.indicators.library import Year
from bianmin.indicators.units import GRID_LENGTH, Unit, children, unit
from bianmin.programs import queries as program_queries
from bianmin.programs.models import Enrolment, Program, VisitKind
from bianmin.registry.access import actor_for, client_ip, staff_of
from bianmin.workbench.common import apply_errors, paginate, staff_required


def _actor(request):
    return actor_for(request.user, ip=client_ip(request))


@staff_required
def due(request):
    """今日随访: the doctor's due list from the programs engine (health programs only)."""
    bucket = request.GET.get("bucket", "all")
    staff = staff_of(request.user)
    items = program_queries.due_list(bucket=bucket, role=staff.role if staff else None).filter(
        program__code__startswith="health-"
    )
    page = paginate(request, items)
    codes = dict(
        HealthRecord.objects.filter(
            person_id__in=[e.person_id for e in page.object_list]
        ).values_list("person_id", "record_code")
    )
    return render(
        request,
        "health/due.html",
        {
            "page": page,
            "rows": [(e, codes.get(e.person_id)) for e in page.object_list],
            "bucket": bucket,
            "today": timezone.localdate(),
        },
    )


def _records(request):
    q = (request.GET.get("q") or "").strip()
    items = HealthRecord.objects.select_related("person", "village")
    if q:
        items = (
            items.filter(record_code__startswith=q)
            if q.isdigit()
            else items.filter(person__name__contains=q)
        )
    return items, q


@staff_required
def record_list(request):
    items, q = _records(request)
    query = urlencode({"q": q}) if q else ""
    context = {"page": paginate(request, items), "q": q, "query": query}
    return render(request, "health/records.html", context)


@staff_required
def record_list_export(request):
    items, q = _records(request)
    response, _count = xlsx_response(
        export_filename("居民健康档案"),
        lambda target: exports.export_records(
            actor=request.actor, items=items, filters={"q": q}, target=target
        ),
    )
    return response


@staff_required
def record_detail(request, record_code: str):
    try:
        record = records.access_record(actor=_actor(request), record_code=record_code)
    except HealthRecord.DoesNotExist:
        raise Http404 from None
    enrolments = Enrolment.objects.filter(person_id=record.person_id).select_related("program")
    return render(
        request,
        "health/record.html",
        {
            "record": record,
            "person": record.person,
            "history": record.history.all(),
            "conditions": record.conditions.all(),
            "checks": record.checks.all()[:50],
            "encounters": record.encounters.select_related("institution__org_unit")[:50],
            "referrals": Referral.objects.filter(record=record).select_related(
                "from_institution__org_unit", "to_institution__org_unit"
            ),
            "contracts": record.contracts.select_related("team"),
            "enrolments": enrolments,
            "first_visit_bp": records.needs_first_visit_bp(record, on=timezone.localdate()),
        },
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("随访日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("随访方式"), choices=VisitKind.choices)
    outcome = forms.ChoiceField(label=_("转归"), required=False)
    notes = forms.CharField(label=_("备注"), required=False, max_length=500)

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["outcome"].choices = [("", "—"), *[tuple(o) for o in program.outcomes]]
        for f in program.form_schema:
            if "key" not in f:
                continue
            label = f["label"] + (f" ({f['unit']})" if f.get("unit") else "")
            if f["type"] == "choice":
                field = forms.ChoiceField(
                    label=label,
                    choices=[("", "—"), *[tuple(c) for c in f["choices"]]],
                    required=False,
                )
            elif f["type"] == "bool":
                field = forms.BooleanField(label=label, required=False)
            else:
                # Typed and range-checked by the engine's form schema, not here: one place.
                field = forms.CharField(label=label, required=False)
            self.fields[f"f_{f['key']}"] = field

    def answers(self) -> dict:
        return {k[2:]: v for k, v in self.cleaned_data.items() if k.startswith("f_") and v != ""}


@staff_required
def visit(request, record_code: str, program_code: str):
    try:
        record = records.access_record(
            actor=_actor(request), record_code=record_code, purpose="随访登记"
        )
        program = Program.objects.get(code=program_code)
    except (HealthRecord.DoesNotExist, Program.DoesNotExist):
        raise Http404 from None
    form = VisitForm(
        request.POST or None,
        program=program,
        initial={"visited_on": timezone.localdate(), "kind": "clinic"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_follow_up(
                actor=_actor(request),
                record=record,
                program=program,
                visited_on=form.cleaned_data["visited_on"],
                kind=form.cleaned_data["kind"],
                data=form.answers(),
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError(
                    {
                        (f"f_{k}" if f"f_{k}" in form.fields else k): v
                        for k, v in exc.error_dict.items()
                    }
                )
            apply_errors(form, exc)
        else:
            messages.success(request, _("随访已登记。"))
            return redirect("health:record", record_code=record.record_code)
    return render(
        request, "health/visit.html", {"record": record, "program": program, "form": form}
    )


def _referrals(request):
    items = Referral.objects.select_related(
        "record__person", "from_institution__org_unit", "to_institution__org_unit"
    )
    status = request.GET.get("status", "")
    if status in ReferralStatus.values:
        items = items.filter(status=status)
    else:
        status = ""
    return items, status


@staff_required
def referrals_export(request):
    items, status = _referrals(request)
    response, _count = xlsx_response(
        export_filename("双向转诊"),
        lambda target: exports.export_referrals(
            actor=request.actor, items=items, filters={"status": status}, target=target
        ),
    )
    return response


@staff_required
def referrals(request):
    items, status = _referrals(request)
    today = timezone.localdate()
    rates = care.referral_rates(start=today.replace(month=1, day=1), end=today)
    scope = current_scope.get()
    if scope is not None and scope.area_prefix:
        rates = [r for r in rates if r.institution.area_code.startswith(scope.area_prefix[:6])]
    return render(
        request,
        "health/referrals.html",
        {
            "page": paginate(request, items),
            "status": status,
            "statuses": ReferralStatus.choices,
            "rates": [r for r in rates if r.visits],
            "own_unit": staff_of(request.user).org_unit_id if staff_of(request.user) else "",
        },
    )


@staff_required
@require_POST
def referral_respond(request, pk: int):
    referral = Referral.objects.filter(pk=pk).first()
    if referral is None:
        raise Http404
    try:
        care.respond_referral(
            actor=_actor(request),
            referral=referral,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("转诊状态已更新。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("health:referrals")


def _contracts():
    return Contract.objects.select_related("record__person", "team")


@staff_required
def contracts(request):
    return render(request, "health/contracts.html", {"page": paginate(request, _contracts())})


@staff_required
def contracts_export(request):
    response, _count = xlsx_response(
        export_filename("家庭医生签约"),
        lambda target: exports.export_contracts(
            actor=request.actor, items=_contracts(), target=target
        ),
    )
    return response


def _home_unit(request) -> Unit:
    """The viewer's own area: their division, or grid (a superuser's: the home city)."""
    from bianmin.indicators.services import home_city
    from bianmin.registry.models import Division

    prefix = request.scope.area_prefix or ""
    if not prefix:
        return unit(home_city())
    div = Division.objects.filter(prefix=prefix).first()
    return unit(div.code if div is not None else prefix)


def _parent_code(place: Unit) -> str | None:
    from bianmin.registry.models import Division

    if place.length == GRID_LENGTH:
        return place.code[:12]
    return Division.objects.filter(code=place.code).values_list("parent_id", flat=True).first()


@staff_required
def indicator_report(request):
    """健康档案指标 for a calendar year, from the indicator library (`health/indicators.py`):
    the viewer's area or a unit under it, and each unit directly under that (a community's
    grids)."""
    try:
        home = _home_unit(request)
        place = unit(request.GET.get("area") or home.code)
    except ValidationError as exc:
        raise Http404("；".join(exc.messages)) from None
    if not request.scope.covers(place.prefix):
        raise PermissionDenied(_("只能查看本辖区的指标。"))
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    year = min(max(year, 1900), this_year)
    got = engine.values_many(indicators.CODES, division=place.code, period=Year(year))
    declared = library.all_indicators(indicators.CODES)
    subs = children(place)
    return render(
        request,
        "health/indicators.html",
        {
            "whole": [(ind, got[ind.code][place.code]) for ind in declared],
            "rows": [(u, [got[ind.code][u.code] for ind in declared]) for u in subs],
            "headers": declared,
            "place": place,
            "home": home,
            "parent": _parent_code(place) if place.code != home.code else None,
            "year": year,
            "years": list(range(this_year, this_year - 4, -1)),
        },
    )
