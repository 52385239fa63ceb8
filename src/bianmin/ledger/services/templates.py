"""Designing report templates: every layout is validated before it is saved, so a report
never meets a column it cannot fill (an unknown indicator, a range with min above max)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.ledger import sources
from bianmin.ledger.models import ColumnSource, Frequency, ReportTemplate, RowKind, ValueType
from bianmin.ledger.services.common import audit_change, error

MAX_COLUMNS = 40
_CODE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _number(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def clean_column(raw: dict[str, Any], n: int) -> dict[str, Any]:
    """One column in its normal form, or a ValidationError naming the column's position."""
    key = str(raw.get("key") or "").strip()
    if not _KEY.match(key):
        raise error("bad_column_key", "columns", n=n, key=key)
    label = str(raw.get("label") or "").strip()
    if not label:
        raise error("column_label_required", "columns", n=n)
    source = raw.get("source")
    column: dict[str, Any] = {"key": key, "label": label[:60], "source": source}
    if source == ColumnSource.INDICATOR:
        code = str(raw.get("indicator") or "").strip()
        info = sources.lookup(code)
        if info is None:
            raise error("unknown_indicator", "columns", n=n, code=code)
        column.update(indicator=code, unit=str(raw.get("unit") or info.unit)[:20])
        column["decimals"] = info.decimals
        return column
    if source == ColumnSource.ROW_INDICATOR:
        column.update(unit=str(raw.get("unit") or "")[:20], decimals=0)
        return column
    if source != ColumnSource.MANUAL:
        raise error("bad_column_source", "columns", n=n)
    value_type = raw.get("type")
    if value_type not in ValueType.values:
        raise error("bad_value_type", "columns", n=n)
    column.update(
        type=value_type, unit=str(raw.get("unit") or "")[:20], required=bool(raw.get("required"))
    )
    if value_type in (ValueType.INT, ValueType.DECIMAL):
        try:
            low, high = _number(raw.get("min")), _number(raw.get("max"))
        except ValueError:
            raise error("bad_bounds", "columns", n=n) from None
        if low is not None and high is not None and low > high:
            raise error("bad_bounds", "columns", n=n)
        if value_type == ValueType.INT and any(
            b is not None and b != b.to_integral_value() for b in (low, high)
        ):
            raise error("bad_bounds", "columns", n=n)
        column["min"] = None if low is None else str(low)
        column["max"] = None if high is None else str(high)
        if value_type == ValueType.DECIMAL:
            try:
                column["decimals"] = max(0, min(6, int(raw.get("decimals", 2))))
            except (TypeError, ValueError):
                column["decimals"] = 2
    if value_type == ValueType.CHOICE:
        choices = raw.get("choices") or []
        if isinstance(choices, str):
            choices = re.split(r"[,，、;；\n]", choices)
        choices = [str(c).strip() for c in choices if str(c).strip()]
        if not choices:
            raise error("choices_required", "columns", n=n)
        column["choices"] = list(dict.fromkeys(choices))
    return column


def clean_layout(
    *,
    row_kind: str,
    columns: list[dict[str, Any]],
    headings: list[list[dict[str, Any]]] | None,
    categories: list[dict[str, Any]] | None,
) -> tuple[list, list, list]:
    if row_kind not in RowKind.values:
        raise error("bad_row_kind", "row_kind")
    if not columns:
        raise error("no_columns", "columns")
    if len(columns) > MAX_COLUMNS:
        raise error("too_many_columns", "columns", max=MAX_COLUMNS)
    clean_columns, seen = [], set()
    for n, raw in enumerate(columns, start=1):
        column = clean_column(raw if isinstance(raw, dict) else {}, n)
        by_row = column["source"] == ColumnSource.ROW_INDICATOR
        if by_row != (row_kind == RowKind.CATEGORIES) and column["source"] != ColumnSource.MANUAL:
            raise error("source_needs_rows", "columns", n=n)
        if column["key"] in seen:
            raise error("duplicate_column_key", "columns", key=column["key"])
        seen.add(column["key"])
        clean_columns.append(column)
    clean_headings = []
    for n, row in enumerate(headings or [], start=1):
        cells = []
        for cell in row or []:
            try:
                span = int(cell.get("span", 1))
            except (TypeError, ValueError, AttributeError):
                raise error("bad_headings", "headings", n=n, count=len(columns)) from None
            if span < 1:
                raise error("bad_headings", "headings", n=n, count=len(columns))
            cells.append({"label": str(cell.get("label") or "").strip()[:60], "span": span})
        if not cells:
            continue
        if sum(c["span"] for c in cells) != len(clean_columns):
            raise error("bad_headings", "headings", n=n, count=len(clean_columns))
        clean_headings.append(cells)
    clean_categories = []
    if row_kind == RowKind.CATEGORIES:
        keys = set()
        for raw in categories or []:
            label = str(raw.get("label") or "").strip()
            key = str(raw.get("key") or "").strip()
            if not label:
                continue
            if not _KEY.match(key) or key in keys or key == "total":
                raise error("bad_category", "categories", label=label)
            keys.add(key)
            category = {"key": key, "label": label[:60]}
            code = str(raw.get("indicator") or "").strip()
            if code:
                info = sources.lookup(code)
                if info is None:
                    raise error("unknown_row_indicator", "categories", label=label, code=code)
                category["indicator"] = code
            clean_categories.append(category)
        if not clean_categories:
            raise error("categories_required", "categories")
    return clean_columns, clean_headings, clean_categories


@transaction.atomic
def save_template(
    *,
    actor: Actor,
    user=None,
    code: str,
    name: str,
    frequency: str,
    row_kind: str,
    columns: list[dict[str, Any]],
    headings: list[list[dict[str, Any]]] | None = None,
    categories: list[dict[str, Any]] | None = None,
    notes: str = "",
    template: ReportTemplate | None = None,
) -> ReportTemplate:
    """Create a template, or save a new version of `template`. Nothing is written unless the
    whole layout is valid."""
    code = (code or "").strip()
    if not _CODE.match(code):
        raise error("bad_template_code", "code")
    clash = ReportTemplate.objects.filter(code=code)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise error("duplicate_template_code", "code", code=code)
    name = (name or "").strip()
    if not name:
        raise error("name_required", "name")
    if frequency not in Frequency.values:
        raise error("bad_frequency", "frequency")
    clean_columns, clean_headings, clean_categories = clean_layout(
        row_kind=row_kind, columns=columns, headings=headings, categories=categories
    )
    fields = {
        "code": code,
        "name": name[:100],
        "frequency": frequency,
        "row_kind": row_kind,
        "columns": clean_columns,
        "headings": clean_headings,
        "categories": clean_categories,
        "notes": (notes or "").strip(),
        "updated_by": user if user is not None and user.is_authenticated else None,
    }
    if template is None:
        template = ReportTemplate.objects.create(**fields)
        action = AuditAction.CREATE
    else:
        template = ReportTemplate.objects.select_for_update().get(pk=template.pk)
        for attr, value in fields.items():
            setattr(template, attr, value)
        template.version += 1
        template.save()
        action = AuditAction.UPDATE
    audit_change(
        actor,
        action,
        template,
        label=template.name,
        changes={"version": template.version, "columns": [c["key"] for c in clean_columns]},
    )
    return template


@transaction.atomic
def set_template_active(*, actor: Actor, template: ReportTemplate, active: bool) -> None:
    ReportTemplate.objects.filter(pk=template.pk).update(active=active)
    audit_change(
        actor, AuditAction.UPDATE, template, label=template.name, changes={"active": active}
    )


def validation_messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def may_design(user) -> bool:
    """Templates are designed by supervisors and administrators."""
    from bianmin.registry.access import staff_of
    from bianmin.registry.models import Role

    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and staff.role in (Role.SUPERVISOR, Role.ADMIN)
