"""/ledger/dashboard/ — the supervisors' dashboard: charts (ECharts, shipped with the package,
no internet needed) over figures from the indicator library, with the same figures as tables
for screen readers and for anyone who would rather read."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.ledger import charts, queries
from bianmin.registry.models import Division
from bianmin.workbench.common import staff_required


def _division(request: HttpRequest) -> Division | None:
    own = queries.user_division(request.user)
    code = request.GET.get("division", "")
    if code:
        chosen = Division.objects.filter(code=code).first()
        scope = getattr(request, "scope", None)
        if chosen is not None and (scope is None or scope.covers(chosen.code)):
            return chosen
    return own or Division.objects.filter(level=2).order_by("code").first()


@staff_required
def dashboard_data(request: HttpRequest) -> HttpResponse:
    division = _division(request)
    if division is None:
        return JsonResponse({"detail": _("没有可统计的区划。")}, status=400)
    try:
        data = charts.figures(division, month=request.GET.get("month") or None)
    except ValidationError as exc:
        return JsonResponse({"detail": "；".join(exc.messages)}, status=400)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    division = _division(request)
    # The current month to date by default: supervisors look at what is happening now.
    month = request.GET.get("month") or f"{timezone.localdate():%Y-%m}"
    error, data = "", None
    if division is not None:
        try:
            data = charts.figures(division, month=month)
        except ValidationError as exc:
            error = "；".join(exc.messages)
    children = Division.objects.filter(parent=division).order_by("code") if division else []
    return render(
        request,
        "ledger/dashboard.html",
        {
            "division": division,
            "month": month,
            "data": data,
            "tables": charts.tables(data) if data else None,
            "error": error,
            "children": children,
        },
    )
