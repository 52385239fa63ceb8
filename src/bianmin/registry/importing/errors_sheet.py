"""The 错误明细 workbook: each rejected row as it was uploaded, with its 行号 and 错误原因.

Written in openpyxl's write-only mode, which streams rows to a temporary file with inline
strings, so memory stays flat. Writing costs ~0.1 ms a row, so the sheet lists the first
`MAX_LISTED` bad rows and then says how many more there were: a file with that many bad
rows is the wrong file, and a sheet of a million errors helps nobody.
The columns are the uploaded ones plus 行号 and 错误原因, which the importer ignores, so the
corrected sheet can be uploaded again as it is.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _g

from bianmin.registry.importing.columns import ERROR_HEADER, ROW_NUMBER_HEADER

MAX_LISTED = 50_000


class ErrorSheet:
    def __init__(self, headers: Sequence[str]):
        self.headers = list(headers)
        self.count = 0
        self._workbook = None
        self._sheet = None

    def add(self, errors: Sequence[tuple[int, Sequence[Any], str]]) -> None:
        for number, values, reason in errors:
            self.count += 1
            if self.count > MAX_LISTED:
                continue
            if self._sheet is None:
                self._open()
            cells = list(values)[: len(self.headers)]
            cells += [""] * (len(self.headers) - len(cells))
            self._sheet.append([number, *cells, reason])

    def _open(self) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet("错误明细")
        bold = Font(bold=True)
        header = []
        for title in (ROW_NUMBER_HEADER, *self.headers, ERROR_HEADER):
            cell = WriteOnlyCell(self._sheet, value=title)
            cell.font = bold
            header.append(cell)
        self._sheet.append(header)
        self._sheet.freeze_panes = "B2"

    def save(self) -> tempfile.SpooledTemporaryFile | None:
        """The finished workbook as a file positioned at its start, or None without errors."""
        if self._workbook is None:
            return None
        if self.count > MAX_LISTED:
            self._sheet.append(
                [
                    None,
                    _g("另有%(n)s行错误未列出，请先修正以上各行。")
                    % {"n": self.count - MAX_LISTED},
                ]
            )
        out = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - caller closes
        self._workbook.save(out)
        self._workbook = self._sheet = None
        out.seek(0)
        return out
