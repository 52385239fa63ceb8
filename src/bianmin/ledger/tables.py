"""A report as a table: its rows (sub-divisions, categories or months), its columns, and each
cell's value — computed from the indicator library, hand-entered, or frozen at submission.

Pages, exports and the API all read reports through `build_table`, so the screen, the .xlsx,
the PDF and the API always show the same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from bianmin.ledger import periods, sources
from bianmin.ledger.cells import as_number
from bianmin.ledger.models import ColumnSource, Report, ReportStatus, RowKind, ValueType

TOTAL = "total"
COMPUTED_SOURCES = (ColumnSource.INDICATOR, ColumnSource.ROW_INDICATOR)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    division_code: str
    start: dt.date
    end: dt.date
    is_total: bool = False
    # Categories: the indicator that gives this row's figure in a ROW_INDICATOR column.
    category: str = ""


@dataclass
class Cell:
    value: Decimal | str | None = None
    manual: bool = False
    computed: bool = False
    entered_by: str = ""
    entered_at: dt.datetime | None = None
    # A hand-entered figure shared from the approved report of the unit below (一次录入，多方共享).
    shared_from: str = ""
    # Frozen reports: today's live figure beside the frozen one.
    live: Decimal | None = None
    changed: bool = False

    @property
    def diff(self) -> Decimal | None:
        if not self.changed or self.live is None or not isinstance(self.value, Decimal):
            return None
        return self.live - self.value


@dataclass
class Table:
    report: Report
    columns: list[dict[str, Any]]
    headings: list[list[dict[str, Any]]]
    rows: list[Row]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    missing: list[tuple[Row, dict[str, Any]]] = field(default_factory=list)

    def cell(self, row: Row | str, column: dict[str, Any] | str) -> Cell:
        row_key = row if isinstance(row, str) else row.key
        column_key = column if isinstance(column, str) else column["key"]
        return self.cells.get((row_key, column_key), Cell())

    def grid(self) -> list[tuple[Row, list[tuple[dict[str, Any], Cell]]]]:
        return [(row, [(c, self.cell(row, c)) for c in self.columns]) for row in self.rows]

    @property
    def changed_count(self) -> int:
        return sum(1 for c in self.cells.values() if c.changed)


def report_rows(report: Report) -> list[Row]:
    layout = report.layout
    period = periods.parse(layout["frequency"], report.period)
    code = report.area_code
    total = Row(TOTAL, _("合计"), code, period.start, period.end, is_total=True)
    kind = layout["row_kind"]
    if kind == RowKind.UNITS:
        children = sources.child_units(code)
        if not children:
            return [Row(code, report.division.name, code, period.start, period.end)]
        rows = [Row(u.code, u.name, u.code, period.start, period.end) for u in children]
        return [*rows, total]
    if kind == RowKind.PERIODS:
        months = period.months()
        rows = [Row(m.key, m.label, code, m.start, m.end) for m in months]
        return rows if len(rows) == 1 else [*rows, total]
    rows = [
        Row(c["key"], c["label"], code, period.start, period.end, category=c.get("indicator", ""))
        for c in layout.get("categories", [])
    ]
    return [*rows, total]


def _computed(table: Table) -> dict[tuple[str, str], Decimal | None]:
    """Live figures of every computed cell, asked of the indicator library per time window."""
    columns = [c for c in table.columns if c["source"] in COMPUTED_SOURCES]
    if not columns:
        return {}
    root = table.report.area_code
    out: dict[tuple[str, str], Decimal | None] = {}
    windows: dict[tuple[dt.date, dt.date], list[Row]] = {}
    for row in table.rows:
        windows.setdefault((row.start, row.end), []).append(row)
    for (start, end), rows in windows.items():
        wanted: list[tuple[str, str, str, str]] = []  # (row key, column key, code, unit)
        for row in rows:
            for column in columns:
                if column["source"] == ColumnSource.INDICATOR:
                    wanted.append((row.key, column["key"], column["indicator"], row.division_code))
                elif row.category:
                    wanted.append((row.key, column["key"], row.category, row.division_code))
        if not wanted:
            continue
        figures = sources.figures(
            [w[2] for w in wanted],
            root=root,
            unit_codes=[w[3] for w in wanted],
            period=sources.library_period(start, end),
        )
        for row_key, column_key, code, unit in wanted:
            out[(row_key, column_key)] = figures.get((code, unit))
    return out


def _frozen_value(raw: Any) -> Decimal | None:
    return None if raw in (None, "") else Decimal(str(raw))


def build_table(report: Report, *, live: bool = True) -> Table:
    """The report's table. Frozen reports show their snapshot; with `live` they also carry
    today's figure per computed cell, so a changed base is visible beside the frozen one."""
    layout = report.layout
    table = Table(report, layout["columns"], layout.get("headings", []), report_rows(report))
    frozen = report.frozen if report.is_frozen and report.frozen is not None else None
    current = _computed(table) if (frozen is None or live) else {}
    for row in table.rows:
        for column in table.columns:
            if column["source"] not in COMPUTED_SOURCES:
                continue
            key = (row.key, column["key"])
            if frozen is not None:
                value = _frozen_value(frozen.get(row.key, {}).get(column["key"]))
                cell = Cell(value=value, computed=True)
                if live:
                    cell.live = current.get(key)
                    cell.changed = cell.live != value
            else:
                cell = Cell(value=current.get(key), computed=True)
            table.cells[key] = cell
    manual_columns = {c["key"]: c for c in table.columns if c["source"] == ColumnSource.MANUAL}
    for stored in report.manual_cells.all() if report.pk else ():
        column = manual_columns.get(stored.column_key)
        if column is None:
            continue
        table.cells[(stored.row_key, stored.column_key)] = Cell(
            value=as_number(column, stored.value),
            manual=True,
            entered_by=stored.entered_by_name,
            entered_at=stored.entered_at,
        )
    if layout["row_kind"] == RowKind.UNITS and report.template_id:
        _shared_from_below(table, manual_columns)
    for column in manual_columns.values():
        body = [r for r in table.rows if not r.is_total]
        if column.get("type") in (ValueType.INT, ValueType.DECIMAL) and len(body) < len(table.rows):
            entered = [table.cell(r, column).value for r in body]
            numbers = [v for v in entered if isinstance(v, Decimal)]
            if numbers:
                table.cells[(TOTAL, column["key"])] = Cell(value=sum(numbers, Decimal(0)))
        if column.get("required"):
            table.missing += [(r, column) for r in body if table.cell(r, column).value is None]
    return table


def _shared_from_below(table: Table, manual_columns: dict[str, dict[str, Any]]) -> None:
    """Entered once, shared: a row's hand-entered cells that are still empty take the figure
    from the unit's own approved report of the same template and period (its 合计, or its only
    row), so a street never retypes what its communities reported."""
    report = table.report
    # A unit without units below has itself as its only row: that is not a report below.
    rows = {r.key: r for r in table.rows if not r.is_total and r.key != report.area_code}
    below = Report.objects.filter(
        template_id=report.template_id,
        period=report.period,
        area_code__in=list(rows),
        status=ReportStatus.APPROVED,
    ).select_related("division")
    for child in below:
        child_table = build_table(child, live=False)
        source = TOTAL if any(r.is_total for r in child_table.rows) else child.area_code
        child_columns = {c["key"]: c for c in child_table.columns}
        for key, column in manual_columns.items():
            theirs = child_columns.get(key)
            if theirs is None or theirs.get("type") != column.get("type"):
                continue
            if (child.area_code, key) in table.cells:
                continue
            value = child_table.cell(source, key).value
            if value is not None:
                table.cells[(child.area_code, key)] = Cell(
                    value=value, manual=True, shared_from=child.division.name
                )


def snapshot(table: Table) -> dict[str, dict[str, str | None]]:
    """The computed cells of a table as JSON: what a submission freezes."""
    out: dict[str, dict[str, str | None]] = {}
    for (row_key, column_key), cell in table.cells.items():
        if cell.computed:
            value = None if cell.value is None else str(cell.value)
            out.setdefault(row_key, {})[column_key] = value
    return out


def display(column: dict[str, Any], value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        decimals = int(column.get("decimals", 0) or 0)
        if column.get("type") == ValueType.INT:
            decimals = 0
        return f"{value:,.{decimals}f}"
    return str(value)
