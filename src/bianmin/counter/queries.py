"""Reads the counter pages need beyond `bianmin.cases.queries`: the search box, the lists of
"my work" by role and the extension requests (the month-by-month on-time rate is the
indicator library's: `cases.queries.on_time_by_month`).

Everything starts from `Case.objects` (or filters by it), so the user's scope applies."""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q, QuerySet

from bianmin.cases import queries as case_queries
from bianmin.cases.models import (
    Case,
    CaseStatus,
    DeficiencyPledge,
    Extension,
    ExtensionStatus,
)
from bianmin.catalog.models import ProcessStep, StepKind
from bianmin.registry.models import Staff

_CASE_NO = re.compile(r"^(BM|LB)\d{4,14}$", re.IGNORECASE)
_LAST4 = re.compile(r"^\d{3}[\dXx]$")


def search_cases(
    *, q: str = "", item: str = "", status: str = "", warning_level: str = ""
) -> QuerySet[Case]:
    """办件查询: one box for the case number (or its beginning), the bundle number, the last
    four characters of the applicant's ID, or the applicant's name."""
    qs = case_queries.filter_cases(
        item=(item or "").strip().upper(), status=status, warning_level=warning_level
    )
    q = (q or "").strip()
    if _CASE_NO.match(q):
        q = q.upper()
        qs = qs.filter(Q(case_no__startswith=q) | Q(bundle_application__bundle_no__startswith=q))
    elif _LAST4.match(q):
        qs = qs.filter(applicant_last4=q.upper())
    elif q:
        qs = qs.filter(applicant_name__contains=q)
    return qs.order_by("-submitted_at", "-id")


# --- my work --------------------------------------------------------------------------------


def decided_by(department: str) -> Q:
    """Cases whose decision is my department's: the item's decide step, else the item."""
    decide = ProcessStep.objects.filter(item=OuterRef("item"), kind=StepKind.DECIDE)
    return Exists(decide.filter(department_id=department)) | (
        ~Exists(decide) & Q(item__department_id=department)
    )


def awaiting_my_decision(staff: Staff) -> QuerySet[Case]:
    qs = case_queries.awaiting_decision()
    return qs.filter(decided_by(staff.department_id)) if staff.department_id else qs


def suspended_cases() -> QuerySet[Case]:
    """Accepted cases whose clock a special procedure has stopped."""
    return case_queries.case_list().filter(
        status__in=[CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW], paused_since__isnull=False
    )


def to_deliver() -> QuerySet[Case]:
    return case_queries.case_list().filter(status=CaseStatus.DECIDED).order_by("decided_at", "id")


def waiting_for_supplement() -> QuerySet[Case]:
    return (
        case_queries.case_list().filter(status=CaseStatus.RETURNED).order_by("paused_since", "id")
    )


def open_pledges() -> QuerySet[DeficiencyPledge]:
    return (
        DeficiencyPledge.objects.filter(fulfilled_at__isnull=True)
        .filter(case__in=Case.objects.exclude(status=CaseStatus.TERMINATED).values("pk"))
        .select_related("case__item")
        .order_by("due_date", "id")
    )


# --- supervision ----------------------------------------------------------------------------


def pending_extensions() -> QuerySet[Extension]:
    return (
        Extension.objects.filter(status=ExtensionStatus.PENDING)
        .filter(case__in=Case.objects.values("pk"))
        .select_related("case__item", "requested_by__org_unit")
        .order_by("requested_at", "id")
    )
