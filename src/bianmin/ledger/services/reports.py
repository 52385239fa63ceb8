"""A report's life: opened for a division and period, hand-entered cells filled, submitted
(its computed figures frozen), then approved or returned by the level above."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.core.scope import current_scope
from bianmin.ledger import periods
from bianmin.ledger.cells import normalise
from bianmin.ledger.models import (
    ColumnSource,
    ManualCell,
    Report,
    ReportAction,
    ReportEvent,
    ReportStatus,
    ReportTemplate,
)
from bianmin.ledger.services.common import MESSAGES, audit_change, error
from bianmin.ledger.tables import TOTAL, build_table, report_rows, snapshot
from bianmin.registry.models import Division, Role


def _check_scope(division_code: str) -> None:
    scope = current_scope.get()
    if scope is not None and not scope.covers(division_code):
        raise PermissionDenied(MESSAGES["out_of_scope"])


def _event(report: Report, actor: Actor, action: str, note: str = "") -> None:
    ReportEvent.objects.create(
        report=report,
        action=action,
        actor_name=actor.name[:60],
        org_unit_code=actor.org_unit_code,
        note=note,
    )


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("division").get(pk=report.pk)


@transaction.atomic
def open_report(
    *, actor: Actor, template: ReportTemplate, division: Division, period: str, org_unit=None
) -> Report:
    """The report of `template` for `division` and `period`, created on first use with the
    template's current layout."""
    _check_scope(division.code)
    if not template.active:
        raise error("template_inactive", name=template.name)
    parsed = periods.parse(template.frequency, period)
    if parsed.start > timezone.localdate():
        raise error("period_too_early", period=parsed.label)
    report, created = Report.objects.get_or_create(
        template=template,
        area_code=division.code,
        period=parsed.key,
        defaults={
            "template_version": template.version,
            "layout": template.layout(),
            "division": division,
            "org_unit": org_unit,
            "period_start": parsed.start,
            "period_end": parsed.end,
        },
    )
    if created:
        _event(report, actor, ReportAction.OPENED)
        audit_change(
            actor, AuditAction.CREATE, report, label=str(report), changes={"period": parsed.key}
        )
    return report


def _manual_column(report: Report, row_key: str, column_key: str) -> dict[str, Any]:
    column = next(
        (
            c
            for c in report.layout["columns"]
            if c["key"] == column_key and c["source"] == ColumnSource.MANUAL
        ),
        None,
    )
    rows = {r.key for r in report_rows(report) if not r.is_total}
    if column is None or row_key not in rows or row_key == TOTAL:
        raise error("unknown_cell", row=row_key, column=column_key)
    return column


def _refuse_frozen(report: Report) -> None:
    if report.is_frozen:
        raise error("frozen", report=str(report), status=report.get_status_display())


@transaction.atomic
def fill_cells(
    *, actor: Actor, user=None, report: Report, values: dict[tuple[str, str], Any]
) -> int:
    """Store hand-entered values {(row key, column key): raw}. All are checked first; one bad
    value refuses the whole batch (errors keyed "row:column"). An empty value clears the cell.
    Returns the number of cells changed."""
    report = _locked(report)
    _check_scope(report.area_code)
    _refuse_frozen(report)
    clean: dict[tuple[str, str], str] = {}
    errors: dict[str, list[ValidationError]] = {}
    for (row_key, column_key), raw in values.items():
        try:
            column = _manual_column(report, row_key, column_key)
            clean[(row_key, column_key)] = normalise(column, raw)
        except ValidationError as exc:
            errors.setdefault(f"{row_key}:{column_key}", []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    existing = {(c.row_key, c.column_key): c for c in report.manual_cells.all()}
    name = actor.name[:60]
    changed = {}
    for key, value in clean.items():
        cell = existing.get(key)
        if value == "":
            if cell is not None:
                cell.delete()
                changed["{}:{}".format(*key)] = None
            continue
        if cell is not None and cell.value == value:
            continue
        ManualCell.objects.update_or_create(
            report=report,
            row_key=key[0],
            column_key=key[1],
            defaults={
                "value": value,
                "entered_by": user if user is not None and user.is_authenticated else None,
                "entered_by_name": name,
            },
        )
        changed["{}:{}".format(*key)] = value
    if changed:
        audit_change(actor, AuditAction.UPDATE, report, label=str(report), changes=changed)
    return len(changed)


@transaction.atomic
def update_signatures(
    *, actor: Actor, report: Report, principal: str, preparer: str, contact_phone: str
) -> None:
    """The 单位负责人 / 填表人 / 联系电话 lines of the paper form."""
    report = _locked(report)
    _check_scope(report.area_code)
    _refuse_frozen(report)
    report.principal, report.preparer = principal.strip()[:40], preparer.strip()[:40]
    report.contact_phone = contact_phone.strip()[:30]
    report.save(update_fields=["principal", "preparer", "contact_phone"])


@transaction.atomic
def submit(*, actor: Actor, user=None, report: Report) -> Report:
    """Submit to the level above: refused for a period not yet over or with required cells
    empty. The computed figures are frozen as they are now."""
    report = _locked(report)
    _check_scope(report.area_code)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise error(
            "bad_transition",
            status=report.get_status_display(),
            action=ReportAction.SUBMITTED.label,
        )
    period = periods.parse(report.layout["frequency"], report.period)
    if not period.is_over():
        raise error("period_not_over", period=period.label, end=period.end.isoformat())
    table = build_table(report)
    if table.missing:
        row, column = table.missing[0]
        raise error(
            "cells_missing", count=len(table.missing), first=f"{row.label} / {column['label']}"
        )
    report.frozen = snapshot(table)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user if user is not None and user.is_authenticated else None
    report.return_reason = ""
    report.save()
    _event(report, actor, ReportAction.SUBMITTED)
    audit_change(
        actor, AuditAction.UPDATE, report, label=str(report), changes={"status": "submitted"}
    )
    return report


def reviewer_division(report: Report) -> Division | None:
    return report.division.parent


def may_review(user, report: Report) -> bool:
    """The level directly above reviews: street → community, district → street, city →
    district; administrators whose area covers the report too."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    if staff is None:
        return False
    area = staff.org_unit.division
    if staff.role == Role.ADMIN:
        return report.area_code.startswith(area.prefix) and area.code != report.area_code
    return area.code == report.division.parent_id


def _review(actor: Actor, user, report: Report, action: ReportAction) -> Report:
    report = _locked(report)
    _check_scope(report.area_code)
    if report.status != ReportStatus.SUBMITTED:
        raise error("bad_transition", status=report.get_status_display(), action=action.label)
    if not may_review(user, report):
        parent = reviewer_division(report)
        raise PermissionDenied(
            MESSAGES["not_reviewer"] % {"parent": parent.name if parent else "—"}
        )
    report.reviewed_at = timezone.now()
    report.reviewed_by = user if user is not None and user.is_authenticated else None
    return report


@transaction.atomic
def approve(*, actor: Actor, user, report: Report) -> Report:
    report = _review(actor, user, report, ReportAction.APPROVED)
    report.status = ReportStatus.APPROVED
    report.save()
    _event(report, actor, ReportAction.APPROVED)
    audit_change(
        actor, AuditAction.UPDATE, report, label=str(report), changes={"status": "approved"}
    )
    return report


@transaction.atomic
def return_report(*, actor: Actor, user, report: Report, reason: str) -> Report:
    """Send back for correction with a reason; the snapshot is dropped, the report is live and
    editable again until it is resubmitted."""
    reason = (reason or "").strip()
    if not reason:
        raise error("reason_required", "reason")
    report = _review(actor, user, report, ReportAction.RETURNED)
    report.status = ReportStatus.RETURNED
    report.return_reason = reason
    report.frozen = None
    report.save()
    _event(report, actor, ReportAction.RETURNED, reason)
    audit_change(
        actor,
        AuditAction.UPDATE,
        report,
        label=str(report),
        changes={"status": "returned", "reason": reason},
    )
    return report
