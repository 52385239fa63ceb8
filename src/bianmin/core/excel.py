"""Excel export of any list: openpyxl's write-only workbook, fed row by row from an iterator.

Memory stays bounded however long the list is: rows are pulled from a database cursor
(`QuerySet.iterator`), each is written straight to the worksheet's temporary file, and the
finished workbook is spooled to a temporary file that the response streams in chunks. Nothing
holds the whole list at once.

Personal numbers are the caller's business: column definitions read the *masked* fields
(`id_masked`, `phone_masked`), so a clear number never reaches this module.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_CELL = 32767  # Excel's limit on characters in one cell
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


@dataclass(frozen=True)
class Column:
    """One column of an export: a (Chinese) header and how to read the value from a row."""

    header: str | Promise
    value: Callable[[Any], Any]
    width: int = 14


def cell_value(value: Any) -> Any:
    """What openpyxl can write: no time zones, no lazy strings, no control characters."""
    if value is None:
        return ""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:_MAX_CELL]
    if isinstance(value, dt.date | int | float):
        return value
    return str(value)


def _cell(ws, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=cell_value(value))
    # openpyxl would store "=…" as a formula; data from a register is never a formula, and
    # treating it as one would let a typed value run in the reader's Excel.
    if cell.data_type == "f":
        cell.data_type = "s"
    if isinstance(cell.value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(cell.value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def write_xlsx(
    target: IO[bytes],
    *,
    sheet_title: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    note: str = "",
) -> int:
    """Write one sheet (header row, then one row per item) to `target`; return the row count.

    `note`, when given, is a first line above the header (what was exported, by whom, when).
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    # Widths must be set before the first row in write-only mode.
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header_row = 1
    if note:
        ws.append([_cell(ws, note)])
        header_row = 2
    ws.freeze_panes = f"A{header_row + 1}"
    header = []
    for column in columns:
        cell = _cell(ws, column.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        ws.append([_cell(ws, column.value(row)) for column in columns])
        count += 1
    wb.save(target)
    return count


def xlsx_response(filename: str, write: Callable[[IO[bytes]], int]) -> tuple[FileResponse, int]:
    """Run `write` into a temporary file and answer with it as a download.

    Returns the response and the number of rows written, so the caller can audit the export.
    The file is deleted when the response is closed.
    """
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    try:
        count = write(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = FileResponse(
        spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    return response, count


def export_filename(stem: str) -> str:
    return f"{stem}_{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def export_note(actor, what: str) -> str:
    """The line above an export's header: what it is, who exported it, when."""
    return f"{what}　导出人：{actor.name}　导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"


def given(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters a list was actually narrowed by (empty ones left out), for the audit entry."""
    return {k: v for k, v in filters.items() if v}


def audited_export(
    target: IO[bytes],
    *,
    actor,
    what: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    object_type: str,
    label: str = "",
    changes: dict[str, Any] | None = None,
    sheet_title: str = "",
) -> int:
    """Write one list (with the `export_note` line) and put the export on the audit log: who,
    which list, how many rows, with which filters. Returns the row count."""
    from bianmin.core import audit
    from bianmin.core.models import AuditAction

    count = write_xlsx(
        target,
        sheet_title=sheet_title or what,
        columns=columns,
        rows=rows,
        note=export_note(actor, what),
    )
    audit.record(
        actor,
        AuditAction.EXPORT,
        object_type=object_type,
        object_label=f"{label or what}（{count}条）",
        changes={"count": count, **(changes or {})},
    )
    return count
