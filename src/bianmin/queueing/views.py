"""Staff pages: the halls of the clerk's area, a window's calling panel (htmx), and the
supervisors' waiting-time figures with their Excel export. Each action is one service call."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bianmin.core.errors import message_of
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.queueing import queries
from bianmin.queueing import services as svc
from bianmin.queueing.exports import export_hall_stats
from bianmin.queueing.forms import LinkCaseForm, stats_form
from bianmin.queueing.models import Hall, Ticket, Window, WindowCategory
from bianmin.workbench.common import staff_required


@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    halls = request.scope.restrict(
        Hall.objects.select_related("org_unit").prefetch_related(
            "windows__categories", "categories"
        ),
        "area_code",
    ).order_by("org_unit_id", "pk")
    return render(request, "queueing/index.html", {"halls": halls})


# --- the window panel -----------------------------------------------------------------------


def _window(request: HttpRequest, window_id: int) -> Window:
    try:
        return svc.access_window(actor=request.actor, window_id=window_id)
    except Window.DoesNotExist:
        raise Http404 from None


def _panel(request: HttpRequest, window: Window, error: str = "") -> HttpResponse:
    context = {"panel": queries.window_panel(window=window), "error": error, "case_form": None}
    template = "queueing/partials/panel.html" if request.htmx else "queueing/window.html"
    return render(request, template, context)


@staff_required
@require_GET
def window_page(request: HttpRequest, window_id: int) -> HttpResponse:
    return _panel(request, _window(request, window_id))


def _current(window: Window) -> Ticket:
    ticket = queries.current_ticket(window)
    if ticket is None:
        raise svc.error("no_current_ticket")
    return ticket


def _category(window: Window, request: HttpRequest) -> WindowCategory:
    category = WindowCategory.objects.select_related("hall").filter(
        pk=request.POST.get("category") or 0, hall_id=window.hall_id
    )
    found = category.first()
    if found is None:
        raise svc.error("unknown_category", "category")
    return found


def _link_case(actor, window: Window, request: HttpRequest):
    form = LinkCaseForm(request.POST)
    case_no = form.cleaned_data["case_no"] if form.is_valid() else ""
    # The case is often accepted while the applicant is still at the window, but the number
    # may also be noted just after 办结: then it goes on the window's last finished ticket.
    ticket = queries.current_ticket(window) or queries.last_done_ticket(window)
    if ticket is None:
        raise svc.error("no_current_ticket")
    return svc.link_case(actor=actor, ticket=ticket, case_no=case_no)


ACTIONS: dict[str, Callable] = {
    "open": lambda actor, w, r: svc.open_window(actor=actor, window=w),
    "close": lambda actor, w, r: svc.close_window(actor=actor, window=w),
    "call-next": lambda actor, w, r: svc.call_next(actor=actor, window=w),
    "recall": lambda actor, w, r: svc.recall(actor=actor, ticket=_current(w)),
    "start": lambda actor, w, r: svc.start_serving(actor=actor, ticket=_current(w)),
    "finish": lambda actor, w, r: svc.finish(actor=actor, ticket=_current(w)),
    "no-show": lambda actor, w, r: svc.mark_no_show(actor=actor, ticket=_current(w)),
    "transfer": lambda actor, w, r: svc.transfer(
        actor=actor, ticket=_current(w), category=_category(w, r)
    ),
    "link-case": _link_case,
}


@staff_required
@require_POST
def window_action(request: HttpRequest, window_id: int, action: str) -> HttpResponse:
    window = _window(request, window_id)
    if action not in ACTIONS:
        raise Http404
    error = ""
    try:
        ACTIONS[action](request.actor, window, request)
    except ValidationError as e:
        error = message_of(e)
    window.refresh_from_db()
    if request.htmx:
        return _panel(request, window, error)
    if error:
        messages.error(request, error)
    return redirect("queueing:window", window_id=window.pk)


# --- waiting-time figures -------------------------------------------------------------------


def _hall(request: HttpRequest, hall_id: int) -> Hall:
    try:
        return svc.access_hall(actor=request.actor, hall_id=hall_id)
    except Hall.DoesNotExist:
        raise Http404 from None


@staff_required
@require_GET
def stats_page(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _hall(request, hall_id)
    form = stats_form(request.GET)
    start, end = form.range()
    context = {
        "hall": hall,
        "form": form,
        "start": start,
        "end": end,
        "live": queries.hall_live(hall=hall),
        "rows": queries.hall_stats(hall=hall, start=start, end=end),
        "query": request.GET.urlencode(),
    }
    return render(request, "queueing/stats.html", context)


@staff_required
@require_GET
def stats_export(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _hall(request, hall_id)
    start, end = stats_form(request.GET).range()
    response, _count = xlsx_response(
        export_filename(f"排队等候统计_{hall.name}"),
        lambda target: export_hall_stats(
            actor=request.actor, hall=hall, start=start, end=end, target=target
        ),
    )
    return response
