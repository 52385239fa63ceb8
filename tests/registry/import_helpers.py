"""Building register files (CSV in several encodings, .xlsx) and running imports as a user."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

from openpyxl import Workbook, load_workbook

from bianmin.core.identifiers import make_citizen_id
from bianmin.core.scope import acting_in
from bianmin.registry.access import actor_for, scope_for
from bianmin.registry.models import ImportJob
from bianmin.registry.services.imports import create_import_job, run_import
from tests.conftest import BAOCHENG

HEADERS = [
    "姓名",
    "身份证号码",
    "手机号码",
    "民族",
    "人口类型",
    "现居住村（社区）区划代码",
    "现居住地址",
    "户号",
    "与户主关系",
    "重点人群标签",
]
_seq = itertools.count(1)


def new_id(region: str = "420102", birth: dt.date = dt.date(1980, 1, 1)) -> str:
    """A valid number not used by any other test row (birth date and sequence vary)."""
    n = next(_seq)
    return make_citizen_id(region, birth + dt.timedelta(days=n // 900), n % 900 + 1)


def bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:17] + last


def row(
    name: str = "张伟",
    id_number: str | None = None,
    *,
    community: str = BAOCHENG,
    phone: str = "13812345678",
    household: str = "",
    relationship: str = "",
    tags: str = "",
    residence_type: str = "户籍",
) -> list[str]:
    return [
        name,
        id_number or new_id(),
        phone,
        "汉族",
        residence_type,
        community,
        "武汉市江岸区保成路1号",
        household,
        relationship,
        tags,
    ]


def family(number: str = "H20260001") -> list[list[str]]:
    return [
        row("王建国", household=number, relationship="户主", tags="退役军人"),
        row("李秀英", household=number, relationship="配偶", phone="13912345678"),
        row("王小明", household=number, relationship="子"),
    ]


def csv_bytes(
    rows: list[list[str]], headers: list[str] = HEADERS, *, encoding: str = "utf-8-sig"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def create_job(user, content: bytes, *, name: str = "登记表.csv", mode: str = "all") -> ImportJob:
    with acting_in(scope_for(user)):
        return create_import_job(
            actor=actor_for(user), file=io.BytesIO(content), file_name=name, mode=mode
        )


def do_import(
    user, content: bytes, *, name: str = "登记表.csv", mode: str = "all", progress=None
) -> ImportJob:
    job = create_job(user, content, name=name, mode=mode)
    return run_import(job.pk, progress=progress)


def assert_done(job: ImportJob) -> None:
    assert job.status == "done", (job.message, job.error_file and error_rows(job))


def error_rows(job: ImportJob) -> list[dict]:
    """The job's error sheet as dicts by header."""
    from django.core.files.storage import default_storage

    with default_storage.open(job.error_file, "rb") as handle:
        ws = load_workbook(io.BytesIO(handle.read()), read_only=True).worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def excel_style_xlsx_bytes(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    """An .xlsx with its text in a shared-string table, as Excel writes it (openpyxl writes
    inline strings, so its files never exercise that path)."""
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    strings: dict[str, int] = {}
    sheet_rows = []
    for r, values in enumerate([headers, *rows], start=1):
        cells = []
        for c, value in enumerate(values, start=1):
            if value in ("", None):
                continue
            index = strings.setdefault(str(value), len(strings))
            cells.append(f'<c r="{get_column_letter(c)}{r}" t="s"><v>{index}</v></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sst = "".join(
        f'<si><t xml:space="preserve">{escape(s)}</t></si>'
        if i % 2
        # every other string split into rich-text runs, as Excel does for mixed formatting
        else f"<si><r><t>{escape(s[:1])}</t></r><r><t>{escape(s[1:])}</t></r></si>"
        for i, s in enumerate(strings)
    )
    files = {
        "[Content_Types].xml": f'<Types xmlns="{pkg}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets><sheet '
        'name="人员信息" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}"><sheetData>'
        f"{''.join(sheet_rows)}</sheetData></worksheet>",
        "xl/sharedStrings.xml": f'<sst xmlns="{ns}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{sst}</sst>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text)
    return out.getvalue()
