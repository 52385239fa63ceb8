"""core.excel: streaming write-only workbooks that survive awkward values."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import tracemalloc

from django.utils import timezone
from openpyxl import load_workbook

from bianmin.core.excel import Column, write_xlsx


def read(buffer: io.BytesIO) -> list[tuple]:
    buffer.seek(0)
    ws = load_workbook(buffer).active
    return [tuple(r) for r in ws.iter_rows(values_only=True)], ws


def test_values_are_written_as_data_never_as_formulas():
    rows = [
        {
            "name": '=HYPERLINK("http://evil","点我")',
            "when": timezone.now(),
            "day": dt.date(2024, 2, 29),
            "n": 3,
            "bad": "a\x00b\x07c",
        },
    ]
    columns = [
        Column("名称", lambda r: r["name"]),
        Column("时间", lambda r: r["when"]),
        Column("日期", lambda r: r["day"]),
        Column("数", lambda r: r["n"]),
        Column("文本", lambda r: r["bad"]),
    ]
    buffer = io.BytesIO()
    assert write_xlsx(buffer, sheet_title="测试", columns=columns, rows=rows) == 1
    values, ws = read(buffer)
    assert values[0] == ("名称", "时间", "日期", "数", "文本")
    name, when, day, n, bad = values[1]
    assert name.startswith("=HYPERLINK") and ws["A2"].data_type == "s"
    assert isinstance(when, dt.datetime) and when.tzinfo is None
    assert day == dt.datetime(2024, 2, 29) and n == 3 and bad == "abc"
    assert ws.freeze_panes == "A2"


def test_memory_stays_bounded_for_a_long_list():
    def rows(n):
        for i in range(n):
            yield (i, f"居民{i}", "420102********1234")

    columns = [
        Column("序号", lambda r: r[0]),
        Column("姓名", lambda r: r[1]),
        Column("证件号", lambda r: r[2]),
    ]

    def peak(n: int) -> int:
        with tempfile.TemporaryFile() as target:
            tracemalloc.start()
            write_xlsx(target, sheet_title="t", columns=columns, rows=rows(n))
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return top

    small, large = peak(300), peak(3_000)
    # Ten times the rows must not cost much more memory: rows go to
    # the worksheet's temporary file, not to a list.
    assert large < small * 1.5
