"""Read models for cases: work lists, the case file, and supervision (电子监察) counts.

Everything goes through `Case.objects`, so the acting user's scope applies to every list and
every count without the caller doing anything. Count tables are one grouped query each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from bianmin.cases.models import (
    CLOCK_STATES,
    Case,
    CaseEvent,
    CaseStatus,
    DeficiencyPledge,
    Review,
    ReviewStatus,
    StaffAbsence,
    WarningLevel,
)
from bianmin.cases.services.precheck import Outcome, precheck
from bianmin.cases.services.rules import applicant_of, item_of
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


# --- supervision counts ---------------------------------------------------------------------


def _count_table(group: tuple[str, ...], start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    # A case returned before acceptance has no time limit yet: not "running".
    running = Q(status__in=CLOCK_STATES, due_date__isnull=False)
    closed = Q(status=CaseStatus.CLOSED, closed_on__gte=start, closed_on__lte=end)
    rows = (
        Case.objects.order_by()
        .values(*group)
        .annotate(
            running=Count("pk", filter=running),
            green=Count("pk", filter=running & Q(warning_level=WarningLevel.GREEN)),
            yellow=Count("pk", filter=running & Q(warning_level=WarningLevel.YELLOW)),
            red=Count("pk", filter=running & Q(warning_level=WarningLevel.RED)),
            closed=Count("pk", filter=closed),
            closed_on_time=Count("pk", filter=closed & Q(closed_on__lte=F("due_date"))),
        )
        .order_by(*group)
    )
    result = []
    for row in rows:
        row["on_time_rate"] = (
            round(row["closed_on_time"] / row["closed"], 4) if row["closed"] else None
        )
        result.append(row)
    return result


def counts_by_department(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per handling department: running cases by warning level; closed in [start, end] and
    how many of those on or before their due date."""
    rows = _count_table(("item__department_id", "item__department__name"), start, end)
    for row in rows:
        row["department"] = row.pop("item__department_id")
        row["department_name"] = row.pop("item__department__name")
    return rows


def counts_by_centre(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The same per accepting centre (online applications not yet accepted have none)."""
    rows = _count_table(("org_unit_id", "org_unit__name"), start, end)
    for row in rows:
        row["centre"] = row.pop("org_unit_id")
        row["centre_name"] = row.pop("org_unit__name")
    return rows


def on_time_rate(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """按时办结率: closed in [start, end] on or before the due date / closed in [start, end]."""
    closed = Q(status=CaseStatus.CLOSED, closed_on__gte=start, closed_on__lte=end)
    totals = Case.objects.order_by().aggregate(
        closed=Count("pk", filter=closed),
        on_time=Count("pk", filter=closed & Q(closed_on__lte=F("due_date"))),
    )
    totals["rate"] = round(totals["on_time"] / totals["closed"], 4) if totals["closed"] else None
    return totals


@dataclass(frozen=True)
class Supervision:
    start: dt.date
    end: dt.date
    by_department: list[dict[str, Any]]
    by_centre: list[dict[str, Any]]
    on_time: dict[str, Any]
    over_max_visits: int
    pledges_overdue: int
    awaiting_precheck: int


def supervision(*, start: dt.date, end: dt.date, on: dt.date) -> Supervision:
    """Everything the 电子监察 dashboard shows, in six queries whatever the data size."""
    return Supervision(
        start=start,
        end=end,
        by_department=counts_by_department(start=start, end=end),
        by_centre=counts_by_centre(start=start, end=end),
        on_time=on_time_rate(start=start, end=end),
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
