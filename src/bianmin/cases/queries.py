"""Read models for cases: work lists, the case file, and supervision (电子监察) figures.

Every list goes through `Case.objects`, so the acting user's scope applies without the caller
doing anything. The supervision figures (lights, closures, on-time rate by department and by
centre) are the indicator library's, computed over the same scoped rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from bianmin.cases.models import (
    CLOCK_STATES,
    Case,
    CaseEvent,
    CaseStatus,
    DeficiencyPledge,
    Review,
    ReviewStatus,
    StaffAbsence,
)
from bianmin.cases.services.precheck import Outcome, precheck
from bianmin.cases.services.rules import applicant_of, item_of
from bianmin.core.scope import Scope, current_scope
from bianmin.indicators import breakdowns
from bianmin.indicators.engine import Value
from bianmin.indicators.library import CENTRE, DEPARTMENT, Period
from bianmin.registry.models import Staff
from bianmin.sharing.services.materials import fetched_of

# --- lists ----------------------------------------------------------------------------------


def case_list() -> QuerySet[Case]:
    """Cases with what a list row shows, in one query."""
    return Case.objects.select_related("item__department", "org_unit")


def filter_cases(
    *,
    status: str = "",
    warning_level: str = "",
    department: str = "",
    item: str = "",
    centre: str = "",
    channel: str = "",
    last4: str = "",
    bundle: str = "",
) -> QuerySet[Case]:
    qs = case_list()
    if status:
        qs = qs.filter(status=status)
    if warning_level:
        qs = qs.filter(warning_level=warning_level, status__in=CLOCK_STATES, due_date__isnull=False)
    if department:
        qs = qs.filter(item__department_id=department)
    if item:
        qs = qs.filter(item__code=item)
    if centre:
        qs = qs.filter(org_unit_id=centre)
    if channel:
        qs = qs.filter(channel=channel)
    if last4:
        qs = qs.filter(applicant_last4=last4.upper())
    if bundle:
        qs = qs.filter(bundle_application__bundle_no=bundle)
    return qs


def awaiting_precheck() -> QuerySet[Case]:
    """Online applications and resubmitted supplements waiting for a clerk."""
    return case_list().filter(status=CaseStatus.SUBMITTED).order_by("submitted_at", "id")


def awaiting_decision() -> QuerySet[Case]:
    """Accepted cases whose reviews are all done and whose clock runs."""
    pending = Review.objects.filter(
        case=OuterRef("pk"),
        status__in=[ReviewStatus.OPEN, ReviewStatus.WAITING, ReviewStatus.RETURNED],
    )
    return (
        case_list()
        .filter(status__in=[CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW], paused_since__isnull=True)
        .exclude(Exists(pending))
        .order_by("due_date", "id")
    )


def absent_backed_up_by(staff: Staff, on: dt.date) -> QuerySet[Staff]:
    """The A-posts this staff member stands in for on `on`: those whose backup they are and
    who are away that day."""
    away = StaffAbsence.objects.filter(staff=OuterRef("pk"), start__lte=on, end__gte=on)
    return Staff.objects.filter(backup=staff).filter(Exists(away))


def my_reviews(staff: Staff, *, on: dt.date) -> QuerySet[Review]:
    """ "My work": open reviews assigned to me, those of A-posts I back up who are away today
    (AB岗), and the unassigned ones of my department — within my scope."""
    mine = Q(assignee=staff) | Q(assignee__in=absent_backed_up_by(staff, on).values("pk"))
    if staff.department_id:
        mine |= Q(assignee__isnull=True, department_id=staff.department_id)
    return (
        Review.objects.filter(mine, status=ReviewStatus.OPEN, case__in=Case.objects.values("pk"))
        .select_related("case__item", "department", "assignee")
        .order_by("case__due_date", "case_id", "seq")
    )


def cases_over_max_visits() -> QuerySet[Case]:
    """Cases whose applicant came on site more often than the item allows (最多跑一次)."""
    return case_list().filter(visit_count__gt=F("item__max_visits")).order_by("-visit_count")


def pledges_overdue(on: dt.date) -> QuerySet[DeficiencyPledge]:
    """容缺 pledges past their date with materials still missing, on visible open cases."""
    return (
        DeficiencyPledge.objects.filter(fulfilled_at__isnull=True, due_date__lt=on)
        .filter(case__in=Case.objects.exclude(status=CaseStatus.TERMINATED).values("pk"))
        .select_related("case__item")
        .order_by("due_date", "id")
    )


# --- supervision counts: from the indicator library ------------------------------------------

# The figures of the 电子监察 dashboard, by department and by centre: the library's declarations
# (indicators/builtin/cases.py), so a figure is the same here, in the ledger and the API.
RUNNING, GREEN, YELLOW, RED = (
    "cases.running",
    "cases.green_light",
    "cases.yellow_light",
    "cases.red_light",
)
ON_TIME_RATE = "cases.on_time_rate"
SUPERVISION_CODES = (RUNNING, GREEN, YELLOW, RED, ON_TIME_RATE)


def _viewer(scope: Scope | None) -> Scope | None:
    """The scope given, else the current one (a request's; none in the CLI: every row) — the
    figures follow the same rule as the lists."""
    return scope if scope is not None else current_scope.get()


def _count(value: Value) -> int:
    return int(value.numerator)


RATE_PLACES = Decimal("0.0001")  # a percentage with two decimals, as a fraction


def _fraction(value: Value) -> Decimal | None:
    """The library's percentage as a rate 0–1 (what the pages' `pct` filter and the API's
    `on_time_rate` have always shown), not recomputed."""
    return None if value.value is None else (value.value / 100).quantize(RATE_PLACES)


def _row(got: dict[str, dict[str, Value]], key: str) -> dict[str, Any]:
    on_time = got[ON_TIME_RATE][key]
    return {
        "running": _count(got[RUNNING][key]),
        "green": _count(got[GREEN][key]),
        "yellow": _count(got[YELLOW][key]),
        "red": _count(got[RED][key]),
        "closed": int(on_time.denominator or 0),
        "closed_on_time": int(on_time.numerator),
        "on_time_rate": _fraction(on_time),
    }


def counts_by(by: str, *, period: Period, scope: Scope | None = None) -> list[dict[str, Any]]:
    """Per handling department (`by="department"`) or accepting centre ("centre"): running
    cases by warning light (now), closed in the period and how many on time — the library's
    breakdown over the rows `scope` (default: the current scope) sees. Key "" = no centre
    (online applications not yet accepted)."""
    got = breakdowns.breakdown(SUPERVISION_CODES, by=by, period=period, scope=_viewer(scope))
    keys = list(got[RUNNING])
    names = breakdowns.names(by, keys)
    # The rows keep the shape the pages, the exports and the API have always had.
    field = "department" if by == DEPARTMENT else "centre"
    return [
        {field: key or None, f"{field}_name": names[key] if key else None, **_row(got, key)}
        for key in keys
    ]


def supervision_totals(*, period: Period, scope: Scope | None = None) -> dict[str, Any]:
    """The same figures over everything `scope` sees (the dashboard's head and totals row)."""
    got = breakdowns.total(SUPERVISION_CODES, period=period, scope=_viewer(scope))
    return _row({code: {"": value} for code, value in got.items()}, "")


def on_time_by_month(*, last: Period, months: int = 12, scope: Scope | None = None) -> list[dict]:
    """按时办结率 for each of the `months` months up to `last` that had closures — the
    library's cases.on_time_rate month by month (one aggregate query per month)."""
    first = last
    for _i in range(months - 1):
        first = first.previous()
    rows = []
    month = first
    while True:
        got = breakdowns.total([ON_TIME_RATE], period=month, scope=_viewer(scope))
        value = got[ON_TIME_RATE]
        closed = int(value.denominator or 0)
        if closed:
            on_time = int(value.numerator)
            rows.append(
                {
                    "month": str(month),
                    "closed": closed,
                    "on_time": on_time,
                    "late": closed - on_time,
                    "rate": _fraction(value),
                }
            )
        if month == last:
            return rows
        month = month.next()


@dataclass(frozen=True)
class Supervision:
    period: Period
    by_department: list[dict[str, Any]]
    by_centre: list[dict[str, Any]]
    totals: dict[str, Any]
    # Lengths of the dashboard's work lists (each links to its list), not indicators.
    over_max_visits: int
    pledges_overdue: int
    awaiting_precheck: int

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def end(self) -> dt.date:
        return self.period.end

    @property
    def on_time(self) -> dict[str, Any]:
        t = self.totals
        return {"closed": t["closed"], "on_time": t["closed_on_time"], "rate": t["on_time_rate"]}


def supervision(*, period: str | Period, on: dt.date, scope: Scope | None = None) -> Supervision:
    """Everything the 电子监察 dashboard shows for `period` (a month, quarter or year): the
    figures from the indicator library over what the viewer sees (`scope`, default the
    current one), the work-list lengths from the lists themselves."""
    period = Period.parse(period)
    scope = _viewer(scope)
    return Supervision(
        period=period,
        by_department=counts_by(DEPARTMENT, period=period, scope=scope),
        by_centre=counts_by(CENTRE, period=period, scope=scope),
        totals=supervision_totals(period=period, scope=scope),
        over_max_visits=Case.objects.filter(visit_count__gt=F("item__max_visits")).count(),
        pledges_overdue=pledges_overdue(on).count(),
        awaiting_precheck=Case.objects.filter(status=CaseStatus.SUBMITTED).count(),
    )


# --- the case file --------------------------------------------------------------------------


def history(case: Case) -> list[CaseEvent]:
    return list(case.events.order_by("at", "id"))


def material_status(case: Case) -> list[dict[str, Any]]:
    """Every material of the item version with where it stands for this case: submitted,
    shared (fetched from shared data), pledged (容缺, to be brought), or missing."""
    on_file = {m.code: m for m in case.materials.all()}
    pledged: set[str] = set()
    pledge = DeficiencyPledge.objects.filter(case=case, fulfilled_at__isnull=True).first()
    if pledge is not None:
        pledged = {m["code"] for m in pledge.materials}
    checked = precheck(
        item=item_of(case),
        applicant=applicant_of(case),
        provided=[
            {"code": m.code, "form": m.form} for m in on_file.values() if m.source == "submitted"
        ],
        channel=case.channel,
    )
    # What sharing supplied or could not (with the reason), as the case's intake found it.
    fetched = fetched_of(case)
    if fetched:
        checked = checked.with_fetched(fetched)
    rows = []
    for check in checked.checks:
        filed = on_file.get(check.code)
        if filed is not None:
            state = filed.source
        elif check.code in pledged:
            state = "pledged"
        elif check.outcome == Outcome.SHARED:
            state = "shared"
        else:
            state = check.outcome
        rows.append(
            {
                "code": check.code,
                "name": check.name,
                "requirement": check.requirement,
                "form": check.form,
                "source": state,
                "received_at": filed.received_at if filed else None,
                "reason": check.reason,
                # Sharing was asked and could not supply it: the reason says why.
                "unfetched": filed is None
                and check.code in fetched
                and not fetched[check.code].found,
            }
        )
    return rows


def case_file(case: Case, *, on: dt.date) -> Case:
    """Attach everything the case page / API detail shows, in a fixed number of queries:
    `reviews_list`, `pauses_list`, `extensions_list`, `history_list`, `materials_list`,
    `pledge_data`."""
    case.reviews_list = list(case.reviews.select_related("department", "assignee", "acted_by"))
    case.pauses_list = list(case.pauses.all())
    case.extensions_list = list(case.extensions.select_related("requested_by", "approver"))
    case.history_list = history(case)
    case.materials_list = material_status(case)
    pledge = DeficiencyPledge.objects.filter(case=case).first()
    case.pledge_data = (
        {
            "materials": pledge.materials,
            "due_date": pledge.due_date,
            "fulfilled_at": pledge.fulfilled_at,
            "overdue": pledge.is_overdue(on),
        }
        if pledge
        else None
    )
    return case


def detail_queryset() -> QuerySet[Case]:
    return Case.objects.select_related(
        "item__department",
        "org_unit",
        "agent",
        "bundle_application",
        "applicant_person",
        "applicant_org",
    )
