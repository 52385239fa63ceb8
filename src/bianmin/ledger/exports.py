"""A report as the paper form people know: .xlsx (openpyxl) and PDF (reportlab).

Both are laid out the same way: title, the 填报单位 / 所属期 / 填报日期 line, the multi-level
header, the rows, the notes, and the 单位负责人 / 填表人 / 联系电话 line. Hand-entered cells are
shaded and a note says so. Both show the report's own figures — for a submitted report the
frozen ones.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from bianmin.core.excel import XLSX_CONTENT_TYPE, cell_value
from bianmin.ledger import periods
from bianmin.ledger.tables import Table, display

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_MANUAL_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _first_header(table: Table) -> str:
    kind = table.report.layout["row_kind"]
    return {"units": _("单位"), "categories": _("项目"), "periods": _("月份")}.get(kind, "")


def _column_label(column: dict[str, Any]) -> str:
    unit = column.get("unit")
    return f"{column['label']}（{unit}）" if unit else column["label"]


def _info_line(table: Table) -> list[str]:
    report = table.report
    period = periods.parse(report.layout["frequency"], report.period)
    day = report.submitted_at or timezone.now()
    return [
        _("填报单位：%(unit)s") % {"unit": report.division.name},
        _("所属期：%(period)s") % {"period": period.label},
        _("填报日期：%(day)s") % {"day": f"{timezone.localtime(day):%Y年%m月%d日}"},
    ]


def _footer_line(table: Table) -> list[str]:
    report = table.report
    return [
        _("单位负责人：%(name)s") % {"name": report.principal},
        _("填表人：%(name)s") % {"name": report.preparer},
        _("联系电话：%(phone)s") % {"phone": report.contact_phone},
    ]


def _number_format(column: dict[str, Any]) -> str:
    decimals = 0 if column.get("type") == "int" else int(column.get("decimals", 0) or 0)
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def _segments(width: int, parts: int) -> list[tuple[int, int]]:
    """Split columns 1..width into `parts` runs for a line of several labelled fields."""
    size = max(1, width // parts)
    out, start = [], 1
    for i in range(parts):
        end = width if i == parts - 1 else min(width, start + size - 1)
        out.append((start, max(start, end)))
        start = end + 1
    return [s for s in out if s[0] <= width]


def write_xlsx(table: Table) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.report.layout["name"][:31]
    width = len(table.columns) + 1
    # Title
    ws.cell(1, 1, table.report.layout["name"]).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = _CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 30
    # 填报单位 / 所属期 / 填报日期
    info = _info_line(table)
    for (start, end), text in zip(_segments(width, len(info)), info, strict=False):
        ws.cell(2, start, text)
        if end > start:
            ws.merge_cells(start_row=2, start_column=start, end_row=2, end_column=end)
    # Header: heading rows, then column labels; the first column spans them all.
    header_top = 3
    header_rows = len(table.headings) + 1
    for r, heading in enumerate(table.headings):
        col = 2
        for cell in heading:
            ws.cell(header_top + r, col, cell["label"])
            span = int(cell["span"])
            if span > 1:
                ws.merge_cells(
                    start_row=header_top + r,
                    start_column=col,
                    end_row=header_top + r,
                    end_column=col + span - 1,
                )
            col += span
    label_row = header_top + header_rows - 1
    ws.cell(header_top, 1, _first_header(table))
    if header_rows > 1:
        ws.merge_cells(start_row=header_top, start_column=1, end_row=label_row, end_column=1)
    for i, column in enumerate(table.columns, start=2):
        ws.cell(label_row, i, _column_label(column))
    for row in ws.iter_rows(min_row=header_top, max_row=label_row, max_col=width):
        for cell in row:
            cell.font, cell.alignment = Font(bold=True), _CENTER
            cell.border, cell.fill = _BORDER, _HEADER_FILL
    # Body
    r = label_row + 1
    first_body = r
    for row, cells in table.grid():
        ws.cell(r, 1, row.label).border = _BORDER
        if row.is_total:
            ws.cell(r, 1).font = Font(bold=True)
        for i, (column, cell) in enumerate(cells, start=2):
            value = cell.value
            target = ws.cell(
                r, i, float(value) if isinstance(value, Decimal) else cell_value(value)
            )
            if target.data_type == "f":  # typed text is never a formula
                target.data_type = "s"
            target.border = _BORDER
            if isinstance(value, Decimal):
                target.number_format = _number_format(column)
                target.alignment = Alignment(horizontal="right")
            if cell.manual:
                target.fill = _MANUAL_FILL
        r += 1
    # Notes and footer
    r += 1
    notes = table.report.layout.get("notes") or ""
    legend = _("注：底纹为黄色的格子为手工填报数据，其余由系统根据基础数据自动提取。")
    for text in ([_("填报说明：%(notes)s") % {"notes": notes}] if notes else []) + [legend]:
        ws.cell(r, 1, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        r += 1
    r += 1
    footer = _footer_line(table)
    for (start, end), text in zip(_segments(width, len(footer)), footer, strict=False):
        ws.cell(r, start, text)
        if end > start:
            ws.merge_cells(start_row=r, start_column=start, end_row=r, end_column=end)
    # Sizes, print set-up
    ws.column_dimensions["A"].width = 22
    for i in range(2, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 14
    ws.freeze_panes = ws.cell(first_body, 2)
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_top}:{label_row}"
    ws.print_options.horizontalCentered = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _filename(table: Table, ext: str) -> str:
    report = table.report
    return f"{report.layout['name']}_{report.division.name}_{report.period}.{ext}"


def xlsx_response(table: Table) -> HttpResponse:
    response = HttpResponse(write_xlsx(table), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(_filename(table, "xlsx"))
    return response


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = "report." + filename.rsplit(".", 1)[-1]
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# --- PDF ---------------------------------------------------------------------------------------

FONT = "STSong-Light"


def write_pdf(table: Table) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1)
    text = ParagraphStyle("text", fontName=FONT, fontSize=9, leading=12)
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, alignment=1)

    def p(value: str, style=cell_style) -> Paragraph:
        from xml.sax.saxutils import escape

        return Paragraph(escape(value), style)

    width = len(table.columns) + 1
    data: list[list[Any]] = []
    spans: list[tuple] = []
    header_rows = len(table.headings) + 1
    for r, heading in enumerate(table.headings):
        line: list[Any] = [p(_first_header(table)) if r == 0 else ""]
        col = 1
        for cell in heading:
            span = int(cell["span"])
            line += [p(cell["label"])] + [""] * (span - 1)
            if span > 1:
                spans.append(("SPAN", (col, r), (col + span - 1, r)))
            col += span
        data.append(line)
    labels: list[Any] = [p(_first_header(table)) if header_rows == 1 else ""]
    data.append(labels + [p(_column_label(c)) for c in table.columns])
    if header_rows > 1:
        spans.append(("SPAN", (0, 0), (0, header_rows - 1)))
    manual_cells = []
    for row, cells in table.grid():
        line = [p(row.label)]
        for i, (column, cell) in enumerate(cells, start=1):
            line.append(p(display(column, cell.value)))
            if cell.manual:
                manual_cells.append((i, len(data)))
        data.append(line)
    page = landscape(A4)
    col_width = (page[0] - 30 * mm - 40 * mm) / max(1, width - 1)
    pdf_table = PdfTable(
        data, colWidths=[40 * mm] + [col_width] * (width - 1), repeatRows=header_rows
    )
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#F2F2F2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *spans,
    ]
    style += [("BACKGROUND", pos, pos, colors.HexColor("#FFF2CC")) for pos in manual_cells]
    pdf_table.setStyle(TableStyle(style))
    notes = table.report.layout.get("notes") or ""
    story = [
        p(table.report.layout["name"], title_style),
        Spacer(1, 4 * mm),
        p("　　　　".join(_info_line(table)), text),
        Spacer(1, 3 * mm),
        pdf_table,
        Spacer(1, 3 * mm),
    ]
    if notes:
        story.append(p(_("填报说明：%(notes)s") % {"notes": notes}, text))
    story += [
        p(_("注：底纹为黄色的格子为手工填报数据，其余由系统根据基础数据自动提取。"), text),
        Spacer(1, 6 * mm),
        p("　　　　".join(_footer_line(table)), text),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=table.report.layout["name"],
    )
    doc.build(story)
    return out.getvalue()


def pdf_response(table: Table) -> HttpResponse:
    response = HttpResponse(write_pdf(table), content_type="application/pdf")
    response["Content-Disposition"] = _disposition(_filename(table, "pdf"))
    return response
