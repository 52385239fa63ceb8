"""综合受理 (one-window intake) for window clerks and village agents:

1. the ID number (or credit code) is typed or read from the card — POST only;
2. the applicant's panel: masked ID, age, address, tags, cases, likely items;
3. the item (or 多证联办 bundle) — only what this counter's level takes in;
4. the materials checklist with a live precheck (htmx) that lists everything missing at once,
   then one of 受理 / 补正 / 容缺受理 / 不予受理, each ending on its printable notice.

Every write is one `bianmin.cases` service call.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bianmin.cases.services import bundles as bundle_services
from bianmin.cases.services import intake as intake_services
from bianmin.cases.services.intake import AgentConsent
from bianmin.cases.services.pledges import PledgeInput
from bianmin.cases.services.refusal import refuse_at_intake
from bianmin.cases.services.rules import channel_of
from bianmin.catalog.models import MaterialForm
from bianmin.counter import applicant as current
from bianmin.counter.common import INTAKE, actor_of, error_text, roles_required, staff_of
from bianmin.counter.forms import IdentifyForm, ItemSearchForm, OutcomeForm
from bianmin.counter.intake import (
    Ticked,
    acceptability,
    bundles_for,
    items_for,
    load_target,
    missing_codes,
    names,
    run_precheck,
)
from bianmin.registry.models import Role
from bianmin.workbench.common import apply_errors

# --- step 1: who applies --------------------------------------------------------------------


def _start(request: HttpRequest, form: IdentifyForm) -> HttpResponse:
    context = {"form": form, "applicant": current.current(request)}
    return render(request, "counter/intake_start.html", context)


@never_cache
@require_GET
@roles_required(INTAKE)
def start(request: HttpRequest) -> HttpResponse:
    return _start(request, IdentifyForm())


@never_cache
@require_POST
@roles_required(INTAKE)
def identify(request: HttpRequest) -> HttpResponse:
    """一号: the number arrives in the body and leaves as the session's record id."""
    form = IdentifyForm(request.POST)
    if form.is_valid():
        try:
            found = intake_services.identify_applicant(
                actor=actor_of(request), **form.cleaned_data["number"]
            )
        except ValidationError as e:
            apply_errors(form, ValidationError({"number": e.messages}))
        else:
            current.remember(request, found)
            return redirect("counter:applicant")
    # The typed number is not echoed back into the page.
    form.data = form.data.copy()
    form.data["number"] = ""
    return _start(request, form)


@require_POST
@roles_required(INTAKE)
def done(request: HttpRequest) -> HttpResponse:
    """下一位: forget the applicant at this counter."""
    current.forget(request)
    return redirect("counter:intake")


def _applicant_or_start(request: HttpRequest):
    found = current.current(request)
    if found is None:
        messages.info(request, _("请先读取或输入申请人证件号码。"))
    return found


# --- steps 2 and 3: the applicant, and what they apply for ---------------------------------


@never_cache
@require_GET
@roles_required(INTAKE)
def applicant(request: HttpRequest) -> HttpResponse:
    found = _applicant_or_start(request)
    if found is None:
        return redirect("counter:intake")
    staff = staff_of(request)
    context = {
        "applicant": found,
        "panel": current.panel(
            found, org_unit=staff.org_unit if staff else None, today=timezone.localdate()
        ),
        "search": ItemSearchForm(),
        "items": list(items_for(staff, found)) if staff else [],
        "bundles": bundles_for(staff, found) if staff else [],
    }
    return render(request, "counter/intake_applicant.html", context)


@require_GET
@roles_required(INTAKE)
def item_search(request: HttpRequest) -> HttpResponse:
    """The item list, narrowed as the clerk types (htmx)."""
    staff = staff_of(request)
    form = ItemSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    found = current.current(request)
    items = list(items_for(staff, found, q)) if staff else []
    return render(request, "counter/partials/item_list.html", {"items": items, "q": q})


# --- step 4: materials, precheck, outcome ---------------------------------------------------


def _channel(request: HttpRequest) -> str:
    staff = staff_of(request)
    return channel_of(staff) if staff else "window"


def _checklist_context(request, target, found, ticked, result, form, error=""):
    outcome_of = result.outcome_of() if result else {}
    needed_by = target.needed_by() if target.is_bundle else {}
    rows = []
    for m in target.materials():
        check = outcome_of.get(m.code)
        # A shared material the gate will not let through is received like any other: the
        # clerk ticks it, the reason is shown under its name.
        unfetched = bool(m.shared_source) and check is not None and check.blocking
        rows.append(
            {
                "m": m,
                "check": check,
                "ticked": m.code in ticked.codes,
                "form": ticked.forms.get(m.code) or m.form,
                "applicable": m.code in ticked.applicable,
                "needed_by": needed_by.get(m.code, []),
                "fetched": bool(m.shared_source) and not unfetched and m.code not in ticked.codes,
                "unfetched": check.reason if unfetched else "",
            }
        )
    staff = staff_of(request)
    return {
        "target": target,
        "applicant": found,
        "rows": rows,
        "result": result,
        "form": form,
        "error": error,
        "blocked": acceptability(target, staff),
        "agent": staff is not None and staff.role == Role.VILLAGE_AGENT,
        "form_choices": MaterialForm.choices,
    }


def _outcome_form(request: HttpRequest) -> OutcomeForm:
    """An unbound outcome form keeping what the clerk already typed (a re-rendered precheck
    must not wipe the pledge date or the reason); the consent time defaults to now."""
    initial = {"consent_at": timezone.localtime().replace(second=0, microsecond=0)}
    if request.method == "POST":
        for name in ("pledge_due", "refuse_reason", "consent_method", "consent_at"):
            if request.POST.get(name):
                initial[name] = request.POST[name]
    return OutcomeForm(initial=initial)


def _precheck(request, target, found, ticked, channel):
    try:
        return run_precheck(target, found, ticked, channel, actor_of(request)), ""
    except ValidationError as e:
        return None, error_text(e)


@never_cache
@require_GET
@roles_required(INTAKE)
def checklist(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    found = _applicant_or_start(request)
    if found is None:
        return redirect("counter:intake")
    target = load_target(kind, code)
    ticked = Ticked()
    result, error = _precheck(request, target, found, ticked, _channel(request))
    context = _checklist_context(
        request, target, found, ticked, result, _outcome_form(request), error
    )
    return render(request, "counter/intake_checklist.html", context)


@never_cache
@require_POST
@roles_required(INTAKE)
def precheck_view(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """The live precheck: every missing or invalid material at once (writes nothing)."""
    found = _applicant_or_start(request)
    if found is None:
        return redirect("counter:intake")
    target = load_target(kind, code)
    ticked = Ticked.from_post(request.POST)
    result, error = _precheck(request, target, found, ticked, _channel(request))
    context = _checklist_context(
        request, target, found, ticked, result, _outcome_form(request), error
    )
    if request.htmx:
        return render(request, "counter/partials/precheck.html", context)
    return render(request, "counter/intake_checklist.html", context)


def _consent(form: OutcomeForm) -> AgentConsent | None:
    method, at = form.cleaned_data.get("consent_method"), form.cleaned_data.get("consent_at")
    return AgentConsent(method, at) if method and at else None


def _take_in(request, target, found, ticked, result, form: OutcomeForm):
    """Call the one service the outcome stands for; returns where to go next."""
    actor, channel = actor_of(request), _channel(request)
    outcome = form.cleaned_data["outcome"]
    consent = _consent(form)
    if outcome == OutcomeForm.ACCEPT and not result.complete:
        raise ValidationError(
            _("材料不齐全，不能受理（缺少：%(names)s）。请一次性告知申请人补正，或按容缺受理。")
            % {"names": names(result.missing) or "；".join(result.problems)},
            code="materials_missing",
        )
    if outcome == OutcomeForm.SUPPLEMENT and result.complete:
        raise ValidationError(_("材料已齐全，请直接受理。"), code="nothing_to_supplement")
    pledge = None
    if outcome == OutcomeForm.PLEDGE:
        pledge = PledgeInput(missing_codes(result), form.cleaned_data["pledge_due"])
    if outcome == OutcomeForm.REFUSE:
        if target.is_bundle:
            refused = bundle_services.refuse_bundle_at_intake(
                actor=actor,
                bundle=target.bundle,
                items=target.items,
                applicant=found,
                provided=ticked.all_provided(),
                channel=channel,
                reason=form.cleaned_data.get("refuse_reason", ""),
                agent_consent=consent,
            )
            return redirect("counter:bundle-notice", bundle_no=refused.application.bundle_no)
        done_ = refuse_at_intake(
            actor=actor,
            item=target.item,
            applicant=found,
            provided=ticked.provided_for(target.item, only_known=False),
            channel=channel,
            reason=form.cleaned_data.get("refuse_reason", ""),
            agent_consent=consent,
        )
        return redirect("counter:notice", case_no=done_.case.case_no, kind="refusal")
    if target.is_bundle:
        taken = bundle_services.take_in_bundle(
            actor=actor,
            bundle=target.bundle,
            items=target.items,
            applicant=found,
            provided=ticked.all_provided(),
            channel=channel,
            applicable=ticked.applicable,
            agent_consent=consent,
            pledge=pledge,
        )
        _tell_unfetched(request, outcome, taken.merged.missing, result)
        return redirect("counter:bundle-notice", bundle_no=taken.application.bundle_no)
    taken = intake_services.take_in(
        actor=actor,
        item=target.item,
        applicant=found,
        provided=ticked.provided_for(target.item, only_known=False),
        channel=channel,
        applicable=ticked.applicable,
        agent_consent=consent,
        pledge=pledge,
    )
    _tell_unfetched(request, outcome, taken.precheck.missing, result)
    kind = "acceptance" if taken.accepted else "supplement"
    return redirect("counter:notice", case_no=taken.case.case_no, kind=kind)


def _tell_unfetched(request, outcome: str, missing, previewed) -> None:
    """The live precheck asks the sharing gate only; a holder without a record shows up at
    intake, which then returns the application instead of accepting it. Say so at once."""
    before = set(missing_codes(previewed))
    late = [c for c in missing if c.code not in before]
    if late and outcome in (OutcomeForm.ACCEPT, OutcomeForm.PLEDGE):
        messages.warning(
            request,
            _("以下材料未能通过数据共享获取，已一次性告知申请人补正：%(names)s。")
            % {"names": "；".join(f"{c.name}（{c.reason}）" for c in late)},
        )


# The services name their inputs; the outcome form calls them differently.
_FIELDS = {"pledge": "pledge_due", "reason": "refuse_reason", "agent_consent": "consent_method"}


def _to_fields(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({_FIELDS.get(k, k): v for k, v in error.error_dict.items()})


@never_cache
@require_POST
@roles_required(INTAKE)
def submit(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    found = _applicant_or_start(request)
    if found is None:
        return redirect("counter:intake")
    target = load_target(kind, code)
    ticked = Ticked.from_post(request.POST)
    channel = _channel(request)
    result, error = _precheck(request, target, found, ticked, channel)
    form = OutcomeForm(request.POST)
    if result is not None and form.is_valid():
        try:
            return _take_in(request, target, found, ticked, result, form)
        except ValidationError as e:
            apply_errors(form, _to_fields(e))
        except PermissionDenied as e:
            form.add_error(None, error_text(e))
    context = _checklist_context(request, target, found, ticked, result, form, error)
    return render(request, "counter/intake_checklist.html", context)
