"""Read models of the ledger: reports in the viewer's scope, the review inbox, a community's
whole ledger for a period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from bianmin.ledger import periods
from bianmin.ledger.models import Report, ReportStatus, ReportTemplate
from bianmin.ledger.tables import Table, build_table
from bianmin.registry.access import staff_of
from bianmin.registry.models import Division, Role


def reports() -> QuerySet[Report]:
    return Report.objects.select_related("template", "division", "division__parent")


def user_division(user) -> Division | None:
    staff = staff_of(user)
    return staff.org_unit.division if staff is not None else None


def inbox(user) -> QuerySet[Report]:
    """Submitted reports the user's unit reviews: those of the divisions directly under it
    (administrators: everything submitted in their area)."""
    qs = reports().filter(status=ReportStatus.SUBMITTED).order_by("submitted_at")
    if user.is_superuser:
        return qs
    staff = staff_of(user)
    if staff is None:
        return qs.none()
    if staff.role == Role.ADMIN:
        return qs.exclude(area_code=staff.org_unit.division_id)
    return qs.filter(division__parent_id=staff.org_unit.division_id)


def period_for(template: ReportTemplate, month: str) -> periods.Period:
    """The template's period containing the first day of `month` ("YYYY-MM")."""
    start = periods.parse(periods.MONTHLY, month).start
    return periods.containing(template.frequency, start)


@dataclass
class LedgerEntry:
    template: ReportTemplate
    period: periods.Period
    report: Report | None
    table: Table


def community_ledger(division: Division, month: str) -> list[LedgerEntry]:
    """一个社区一本台帐: every active template for the division and the period containing the
    month — the report where one exists, else the figures the system already knows."""
    entries = []
    existing = {
        (r.template_id, r.period): r
        for r in reports().filter(area_code=division.code).prefetch_related("manual_cells")
    }
    for template in ReportTemplate.objects.filter(active=True).order_by("code"):
        period = period_for(template, month)
        report = existing.get((template.pk, period.key))
        shown = report or Report(
            template=template,
            template_version=template.version,
            layout=template.layout(),
            division=division,
            area_code=division.code,
            period=period.key,
            period_start=period.start,
            period_end=period.end,
        )
        entries.append(LedgerEntry(template, period, report, build_table(shown)))
    return entries


def communities_under(division: Division | None, limit: int = 400) -> list[Division]:
    qs = Division.objects.filter(level=5).order_by("code")
    if division is not None:
        qs = qs.filter(code__startswith=division.prefix)
    return list(qs[:limit])


def default_month(today: dt.date | None = None) -> str:
    return periods.last_closed(periods.MONTHLY, today).key
