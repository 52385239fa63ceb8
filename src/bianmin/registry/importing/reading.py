"""Opening a register file and streaming its rows, whatever its size.

The type is decided by the file's first bytes, not its name (a .csv renamed from .xlsx is
common). CSV text is checked in full against UTF-8 and then GB18030 (the superset of GBK that
Chinese Excel writes) before any row is used, so a file in a broken encoding is refused as a
whole instead of half-way through. Neither reader holds more than one row at a time; an
.xlsx's table of distinct strings goes to a temporary file (see `xlsx`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

Opener = Callable[[], IO[bytes]]
Row = tuple[int, list[Any]]  # (row number as Excel shows it, cell values)

_CHUNK = 1 << 20
_UTF8_BOM = codecs.BOM_UTF8
# Excel's "CSV" export in a Chinese locale is GBK; GB18030 decodes all of GBK and more.
_CANDIDATES = ("utf-8", "gb18030")


class Sheet:
    """An opened file: its header row, an estimate of its data rows, and a row stream."""

    kind: str
    headers: list[Any]
    estimated_rows: int

    def rows(self) -> Iterator[Row]:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _refuse(message, code: str, **params: object) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


@contextlib.contextmanager
def open_sheet(opener: Opener) -> Iterator[Sheet]:
    """Open the file behind `opener` (called again for every pass over the file)."""
    with opener() as handle:
        magic = handle.read(8)
    if not magic:
        raise _refuse(_("文件是空的。"), "import_empty")
    if magic.startswith(b"PK\x03\x04"):
        sheet: Sheet = XlsxSheet(opener)
    elif magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            _("这是旧版Excel（.xls）文件，请在Excel中“另存为”.xlsx格式后重新上传。"), "import_xls"
        )
    elif magic.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _refuse(
            _(
                "不支持UTF-16编码的文本文件（Excel的“Unicode文本”），请另存为"
                "“CSV UTF-8（逗号分隔）”或.xlsx格式后重新上传。"
            ),
            "import_encoding",
        )
    else:
        sheet = CsvSheet(opener)
    try:
        yield sheet
    finally:
        sheet.close()


# --- CSV -------------------------------------------------------------------------------------


def detect_encoding(opener: Opener) -> tuple[str, int]:
    """Return (encoding, number of line breaks), or refuse a file no candidate decodes.

    The whole file is decoded once per candidate (C codecs: ~1 s per GB); a UTF-8 file with
    a BOM is only tried as UTF-8.
    """
    with opener() as handle:
        has_bom = handle.read(3) == _UTF8_BOM
    candidates = ("utf-8-sig",) if has_bom else _CANDIDATES
    furthest = (-1, 0)  # (byte offset, line) of the latest decoding failure
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        offset = lines = 0
        with opener() as handle:
            try:
                while chunk := handle.read(_CHUNK):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        # The decoder may hold back a few bytes of the previous chunk.
                        at = max(exc.start - len(exc.object) + len(chunk), 0)
                        line = lines + chunk[:at].count(b"\n") + 1
                        raise _Undecodable(offset + at, line) from None
                    lines += chunk.count(b"\n")
                    offset += len(chunk)
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    raise _Undecodable(offset, lines + 1) from None
            except _Undecodable as failure:
                furthest = max(furthest, (failure.offset, failure.line))
                continue
        return encoding, lines
    raise _refuse(
        _(
            "文件编码无法识别（第%(line)s行附近有无法解码的字符）。请在Excel中“另存为”"
            "“CSV UTF-8（逗号分隔）”或.xlsx格式后重新上传；未导入任何数据。"
        ),
        "import_encoding",
        line=furthest[1],
    )


class _Undecodable(Exception):
    def __init__(self, offset: int, line: int):
        self.offset, self.line = offset, line


class CsvSheet(Sheet):
    kind = "csv"

    def __init__(self, opener: Opener):
        self._opener = opener
        self.encoding, newlines = detect_encoding(opener)
        with self._text() as text:
            first = text.readline()
        self.delimiter = _delimiter(first)
        with self._text() as text:
            self.headers = next(csv.reader(text, delimiter=self.delimiter), [])
        if not any(h.strip() for h in self.headers):
            raise _refuse(_("文件第一行应为表头，但它是空的。"), "import_columns")
        # Quoted line breaks inside cells make this an over-estimate; it only drives the bar.
        self.estimated_rows = max(newlines - 1 + (0 if first.endswith("\n") else 1), 0)

    @contextlib.contextmanager
    def _text(self) -> Iterator[io.TextIOWrapper]:
        with self._opener() as handle:
            # Under a storage's File wrapper (Django's), the file itself: every line read
            # would otherwise go through the wrapper's Python-level properties.
            raw = handle.file if isinstance(getattr(handle, "file", None), io.IOBase) else handle
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            try:
                yield text
            finally:
                text.detach()

    def rows(self) -> Iterator[Row]:
        with self._text() as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            next(reader, None)
            number = 1
            for record in reader:
                number += 1
                yield number, record


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


# --- XLSX ------------------------------------------------------------------------------------


class XlsxSheet(Sheet):
    kind = "xlsx"

    def __init__(self, opener: Opener):
        self._handle = opener()
        try:
            self._workbook, self._strings, self._sheet = _open_xlsx(self._handle)
            # Some writers record a wrong size; read what is there, keep the size as estimate.
            max_row = self._sheet.max_row or 0
            self._sheet.reset_dimensions()
            first = next(self._sheet.iter_rows(max_row=1, values_only=True), ())
        except Exception:
            self.close()
            raise
        self.headers = [_cell_text(v) for v in first]
        if not any(h.strip() for h in self.headers):
            self.close()
            raise _refuse(_("工作表第一行应为表头，但它是空的。"), "import_columns")
        self.estimated_rows = max(max_row - 1, 0)

    def rows(self) -> Iterator[Row]:
        number = 1
        for values in self._sheet.iter_rows(min_row=2, values_only=True):
            number += 1
            yield number, [v if v.__class__ is str else _cell_text(v) for v in values]

    def close(self) -> None:
        workbook = getattr(self, "_workbook", None)
        if workbook is not None:
            workbook.close()
            if hasattr(self._strings, "close"):
                self._strings.close()
        self._handle.close()


def _open_xlsx(handle: IO[bytes]):
    import zipfile

    from openpyxl.utils.exceptions import InvalidFileException

    from bianmin.registry.importing.xlsx import load_read_only

    try:
        workbook, strings = load_read_only(handle)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError):
        # (xml.etree's ParseError is a SyntaxError)
        raise _refuse(
            _("文件不是有效的Excel（.xlsx）文件，或已损坏。"), "import_bad_xlsx"
        ) from None
    if not workbook.worksheets:
        workbook.close()
        raise _refuse(_("Excel文件中没有工作表。"), "import_bad_xlsx")
    return workbook, strings, workbook.worksheets[0]


def _cell_text(value: Any) -> str:
    """A cell as the text the user typed. Numbers too large for a double's 53-bit mantissa
    keep their float form ("4.2010219850615e+17"), so a number Excel has already rounded
    is refused by the ID check instead of being turned into a different, wrong number."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
