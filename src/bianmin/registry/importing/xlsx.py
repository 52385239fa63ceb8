"""Opening an .xlsx read-only without holding its shared-string table in memory.

openpyxl's read-only mode streams a sheet's rows, but first loads every distinct string of
the workbook (Excel stores text cells as indexes into one table) into a Python list: for a
sheet of a million people that is several million strings, most of the memory an import
would use. Here the table goes to an unlinked temporary file instead, with 8 bytes of offset
per string in memory; a cell's text is sliced from a memory map when its row is read.
"""

from __future__ import annotations

import mmap
import tempfile
from array import array
from collections.abc import Sequence
from typing import IO

from openpyxl.cell.text import Text
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

_SI = f"{{{SHEET_MAIN_NS}}}si"
_FLUSH = 1 << 20


class DiskStrings(Sequence[str]):
    """The shared strings of a workbook, as openpyxl's reader reads them, kept on disk."""

    def __init__(self, xml_source: IO[bytes]):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._offsets = array("Q", [0])
        pending: list[bytes] = []
        size = end = 0
        root = None
        for event, node in iterparse(xml_source, events=("start", "end")):
            if root is None:
                root = node
            if event != "end" or node.tag != _SI:
                continue
            # The same text openpyxl's read_string_table gives for a string item.
            data = Text.from_tree(node).content.replace("x005F_", "").encode()
            root.clear()  # drop the parsed item, or the tree grows with the table
            pending.append(data)
            size += len(data)
            end += len(data)
            self._offsets.append(end)
            if size >= _FLUSH:
                self._file.write(b"".join(pending))
                pending, size = [], 0
        self._file.write(b"".join(pending))
        self._file.flush()
        self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if end else b""

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._map[self._offsets[index] : self._offsets[index + 1]].decode()

    def close(self) -> None:
        if isinstance(self._map, mmap.mmap):
            self._map.close()
        self._file.close()


class _Reader(ExcelReader):
    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        self.shared_strings = []
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = DiskStrings(source)


def load_read_only(handle: IO[bytes]):
    """(workbook, shared strings to close with it): openpyxl's load_workbook(read_only=True,
    data_only=True), but with the string table on disk."""
    reader = _Reader(handle, read_only=True, data_only=True)
    try:
        reader.read()
    except BaseException:
        if isinstance(reader.shared_strings, DiskStrings):
            reader.shared_strings.close()
        raise
    return reader.wb, reader.shared_strings
