"""The paper-form exports: .xlsx read back with openpyxl, PDF bytes."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bianmin.ledger.exports import write_pdf, write_xlsx
from bianmin.ledger.services import fill_cells, open_report, submit, update_signatures
from bianmin.ledger.tables import build_table
from tests import factories
from tests.conftest import BAOCHENG, TAINING
from tests.ledger.conftest import fill_all, last_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(actor, street_template, street, grids):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    fill_all(report, actor, value="1234")
    fill_cells(actor=actor, report=report, values={(BAOCHENG, "note"): "=SUM(A1:A9)"})
    update_signatures(
        actor=actor,
        report=report,
        principal="李主任",
        preparer="张三",
        contact_phone="027-82801234",
    )
    report.refresh_from_db()
    return report


def test_xlsx_reads_like_the_paper_form(report):
    wb = load_workbook(io.BytesIO(write_xlsx(build_table(report, live=False))))
    ws = wb.active
    assert ws["A1"].value == "网格工作月报表"
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位：大智街道"
    line = [c.value for c in ws[2] if c.value]
    assert any(str(v).startswith("所属期：") for v in line)
    assert any(str(v).startswith("填报日期：") for v in line)
    # Two header rows: the heading groups merged across their columns, the first column down.
    assert ws["B3"].value == "基础数据（自动提取）" and ws["D3"].value == "工作情况"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"B3:C3", "D3:E3", "A3:A4"} <= merged
    assert ws["B4"].value == "网格数（个）" and ws["D4"].value == "入户走访次数"
    labels = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    baocheng = 5 + labels.index("保成社区")
    assert ws.cell(baocheng, 2).value == 2  # computed: 2 grids
    assert ws.cell(baocheng, 4).value == 1234
    assert ws.cell(baocheng, 4).number_format == "#,##0"
    assert ws.cell(baocheng, 4).fill.fgColor.rgb.endswith("FFF2CC")  # hand-entered, marked
    assert ws.cell(baocheng, 2).fill.fgColor.rgb in (None, "00000000")
    assert ws.cell(baocheng, 5).value == "=SUM(A1:A9)" and ws.cell(baocheng, 5).data_type == "s"
    assert ws.cell(baocheng, 2).border.left.style == "thin"
    total = 5 + labels.index("合计")
    assert ws.cell(total, 2).value == 3
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert "单位负责人：李主任" in texts and "填表人：张三" in texts
    assert "联系电话：027-82801234" in texts
    assert any("手工填报" in t for t in texts)
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.freeze_panes == "B5"
    assert ws.print_title_rows == "$3:$4"


def test_xlsx_of_a_submitted_report_shows_the_frozen_figures(report, actor):
    submit(actor=actor, report=report)
    report.refresh_from_db()
    factories.grid(TAINING, 2)
    ws = load_workbook(io.BytesIO(write_xlsx(build_table(report, live=False)))).active
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert ws.cell(1 + labels.index("泰宁社区"), 2).value == 1  # frozen, not today's 2


def test_pdf_is_a_pdf_with_embedded_cjk_font(report):
    data = write_pdf(build_table(report, live=False))
    assert data.startswith(b"%PDF-")
    assert b"STSong-Light" in data
    assert len(data) > 1500
