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
