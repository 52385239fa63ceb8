"""Read models of the sharing app, shared by pages and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from bianmin.registry.models import Person, Role, Staff
from bianmin.sharing.models import (
    AccessRequest,
    Consent,
    DataAccess,
    Grant,
    Sensitivity,
    SharedDataItem,
    SharedMaterial,
)
from bianmin.sharing.providers import provided_codes

# Who may read the whole access log (within their area): oversight, not case work.
LOG_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


def catalogue() -> list[SharedDataItem]:
    items = list(SharedDataItem.objects.select_related("owner"))
    available = provided_codes()
    for item in items:
        item.has_provider = item.code in available
    return items


def requests_for(staff: Staff | None) -> QuerySet[AccessRequest]:
    """A department's own requests and those addressed to it as owner; everything for an
    administrator or a supervisor."""
    qs = AccessRequest.objects.select_related("department", "item__owner", "decided_by")
    if staff is None or staff.role in LOG_ROLES:
        return qs
    if staff.department_id is None:
        return qs.none()
    return qs.filter(Q(department_id=staff.department_id) | Q(item__owner_id=staff.department_id))


def grants_for(staff: Staff | None) -> QuerySet[Grant]:
    qs = Grant.objects.select_related("department", "item__owner")
    if staff is None or staff.role in LOG_ROLES:
        return qs
    if staff.department_id is None:
        return qs.none()
    return qs.filter(Q(department_id=staff.department_id) | Q(item__owner_id=staff.department_id))


def grant_state(grant: Grant, day: dt.date | None = None) -> str:
    day = day or timezone.localdate()
    if grant.revoked_at is not None:
        return "revoked"
    if grant.valid_until < day:
        return "expired"
    return "active"


def access_log(
    *, item_code: str = "", department: str = "", outcome: str = ""
) -> QuerySet[DataAccess]:
    """The access log, cut to the user's area by the scoped manager."""
    qs = DataAccess.objects.select_related("department", "person", "case")
    if item_code:
        qs = qs.filter(item_code=item_code)
    if department:
        qs = qs.filter(department_id=department)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs


def reads_of(person: Person) -> QuerySet[DataAccess]:
    """Who read the person's shared data (the resident's own page: reads that happened)."""
    return (
        DataAccess.unscoped.filter(person=person)
        .exclude(outcome="denied")
        .select_related("department")
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class ConsentRow:
    item: SharedDataItem
    consent: Consent | None  # in force, if any
    withdrawn: Consent | None  # the latest withdrawn one, if no consent is in force


def consents_of(person: Person) -> list[ConsentRow]:
    """Each sensitive item with the person's consent in force (any department) or not."""
    consents = list(
        Consent.unscoped.filter(person=person, department__isnull=True).order_by("-granted_at")
    )
    rows = []
    for item in SharedDataItem.objects.filter(sensitivity=Sensitivity.SENSITIVE).select_related(
        "owner"
    ):
        mine = [c for c in consents if c.item_id == item.code]
        active = next((c for c in mine if c.withdrawn_at is None), None)
        withdrawn = None if active else next(iter(mine), None)
        rows.append(ConsentRow(item, active, withdrawn))
    return rows


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """'YYYY-MM' → [first moment, first moment of the next month) in local time; ValueError
    for anything else."""
    year, mon = (int(p) for p in month.split("-"))
    if not (1 <= mon <= 12 and 2000 <= year <= 2100) or len(month) != 7:
        raise ValueError(month)
    start = dt.datetime(year, mon, 1)
    end = dt.datetime(year + (mon == 12), mon % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return timezone.make_aware(start, tz), timezone.make_aware(end, tz)


# materials_stats' columns → the library's indicators (sharing/indicators.py).
STATS = {
    "satisfied": "sharing.materials_satisfied",
    "from_certificates": "sharing.materials_from_certificates",
    "from_shared_data": "sharing.materials_from_shared_data",
    "not_found": "sharing.materials_not_found",
    "cases": "sharing.cases_with_shared_materials",
}


def materials_stats(month: str) -> list[dict]:
    """Per item, in the month: how many materials were satisfied by sharing (by source kind),
    how many could not be fetched, how many cases they served — the library's `sharing.*`
    indicators broken down by item, for the rows in the viewer's area. ValueError for a month
    that is not "YYYY-MM"."""
    from bianmin.core.scope import current_scope
    from bianmin.indicators import breakdowns
    from bianmin.indicators.library import ITEM

    month_bounds(month)
    scope = current_scope.get()
    if scope is not None and scope.denied:
        return []
    got = breakdowns.breakdown(
        list(STATS.values()),
        by=ITEM,
        period=month,
        prefix=scope.area_prefix if scope is not None else "",
    )
    keys = list(got[STATS["satisfied"]])
    names = breakdowns.names(ITEM, keys)
    rows = [
        {
            "item_code": key,
            "item_name": names[key],
            **{column: int(got[code][key].value) for column, code in STATS.items()},
        }
        for key in keys
    ]
    return sorted(rows, key=lambda r: (-r["satisfied"], r["item_code"]))


def source_text(row: SharedMaterial) -> str:
    """Where a shared material came from, in the reader's language (the stored label is in
    the platform's)."""
    from django.utils.translation import gettext as _

    from bianmin.catalog.sources import CERTIFICATE_TYPES, SHARED_DATA

    if not row.found:
        return _("未能获取：%(reason)s") % {"reason": row.reason}
    if row.source_code in CERTIFICATE_TYPES:
        return _("电子证照：%(type)s %(id)s") % {
            "type": CERTIFICATE_TYPES[row.source_code],
            "id": row.certificate_identifier,
        }
    if row.source_code in SHARED_DATA:
        return _("共享数据：%(item)s") % {"item": SHARED_DATA[row.source_code]}
    return row.source_label


def sources_of(case) -> dict[str, SharedMaterial]:
    """The case's shared materials by material code (the case page's 来源 column)."""
    return {m.code: m for m in SharedMaterial.unscoped.filter(case=case)}
