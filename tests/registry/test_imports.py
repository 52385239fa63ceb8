"""Bulk import through the service layer: files, rows, modes, re-imports, scope, audit."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from openpyxl import load_workbook

from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.importing.columns import COLUMNS, EXAMPLE_ID_NUMBER
from bianmin.registry.models import Household, ImportJob, ImportStatus, Person, PersonTag
from bianmin.registry.services.imports import import_template
from bianmin.registry.services.people import hash_of
from tests import factories
from tests.conftest import BAOCHENG, WANNIAN
from tests.registry.import_helpers import (
    HEADERS,
    assert_done,
    bad_check_digit,
    create_job,
    csv_bytes,
    do_import,
    error_rows,
    excel_style_xlsx_bytes,
    family,
    new_id,
    row,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BIANMIN = {**settings.BIANMIN, "IMPORT_INLINE_THREAD": False}


def _person(number: str) -> Person:
    return Person.unscoped.get(id_hash=hash_of(number))


# --- the template -----------------------------------------------------------------------------


def test_template_has_the_header_row_an_example_and_notes():
    wb = load_workbook(io.BytesIO(import_template()))
    data, notes = wb.worksheets
    assert [c.value for c in data[1]] == [c.header for c in COLUMNS]
    assert data["B2"].value == EXAMPLE_ID_NUMBER
    assert data["B2"].number_format == "@"  # text, so Excel keeps all 18 digits
    assert notes.title == "填写说明"
    notes_text = " ".join(str(c.value) for r in notes.iter_rows() for c in r if c.value)
    assert "残疾人（disabled）" in notes_text and "60岁以上老年人" not in notes_text


def test_the_templates_example_row_is_never_imported(baocheng_worker):
    # Given the template's example row left in the sheet
    content = csv_bytes([row("张伟", EXAMPLE_ID_NUMBER), row("赵丽")])
    # When it is imported, valid rows only
    job = do_import(baocheng_worker, content, mode="valid")
    # Then the example row is refused and the other imported
    assert (job.created_count, job.error_count) == (1, 1)
    assert "示例行" in error_rows(job)[0]["错误原因"]


# --- valid files in each format -------------------------------------------------------------


def test_valid_csv_creates_people_households_and_tags(baocheng_worker):
    rows = family("H20260001")
    job = do_import(baocheng_worker, csv_bytes(rows))

    assert_done(job)
    assert (job.total_rows, job.processed_rows, job.created_count, job.error_count) == (3, 3, 3, 0)
    head, spouse, son = (_person(r[1]) for r in rows)
    household = Household.unscoped.get(number="H20260001")
    assert {head.household_id, spouse.household_id, son.household_id} == {household.pk}
    assert (head.relationship, spouse.relationship, son.relationship) == ("02", "10", "20")
    assert household.division_id == BAOCHENG and household.area_code == BAOCHENG
    assert son.area_code == BAOCHENG and son.residence_division_id == BAOCHENG
    assert (
        head.name_initials == "wjg"
        and head.id_masked == rows[0][1][:6] + "********" + rows[0][1][-4:]
    )
    assert head.birth_date.year == 1980 and head.source_import_id == job.pk
    assert list(PersonTag.objects.filter(person=head).values_list("tag_id", flat=True)) == [
        "veteran"
    ]
    assert job.stored_file == ""  # the upload is not kept once the job is over


def test_one_audit_entry_per_job_with_counts_and_file_digest(baocheng_worker):
    before = AuditEntry.objects.count()
    job = do_import(baocheng_worker, csv_bytes(family()))
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        (AuditAction.IMPORT, "import_job", str(job.pk))
    ]
    assert entries[0].changes["created"] == 3
    assert entries[0].changes["file_sha256"] == job.file_sha256 and len(job.file_sha256) == 64


def test_valid_xlsx_with_numbers_typed_as_numbers(baocheng_worker):
    number = new_id()
    # Phone and division code as numeric cells, as Excel stores them unless told otherwise.
    rows = [["陈静", number, 13812345678, "汉族", "常住", int(BAOCHENG), "", "", "", ""]]
    job = do_import(baocheng_worker, xlsx_bytes(rows), name="登记表.xlsx")
    assert_done(job)
    person = _person(number)
    assert (person.phone, person.residence_division_id, person.residence_type) == (
        "13812345678",
        BAOCHENG,
        "resident",
    )


def test_xlsx_as_excel_writes_it_with_a_shared_string_table(baocheng_worker):
    rows = [*family("H20260077"), row("欧阳<&>娜娜")]
    job = do_import(baocheng_worker, excel_style_xlsx_bytes(rows), name="登记表.xlsx")
    assert_done(job)
    assert job.created_count == 4
    assert _person(rows[3][1]).name == "欧阳<&>娜娜"
    assert Household.unscoped.get(number="H20260077").members.count() == 3


def test_text_with_tabs_line_breaks_and_backslashes_is_stored_as_written(baocheng_worker):
    # Alt+Enter in an Excel cell is a line break; COPY must escape these, not split on them.
    number = new_id()
    r = row("王\\芳", number)
    r[6] = "保成路1号\n2单元\t301室\\"
    job = do_import(baocheng_worker, csv_bytes([r]))
    assert_done(job)
    person = _person(number)
    assert (person.name, person.residence_address) == ("王\\芳", "保成路1号\n2单元\t301室\\")


def test_an_id_number_excel_rounded_to_a_float_is_refused_with_the_reason(baocheng_worker):
    number = new_id()
    rows = [["陈静", float(number), "13812345678", "", "", BAOCHENG, "", "", "", ""]]
    job = do_import(baocheng_worker, xlsx_bytes(rows), name="登记表.xlsx")
    assert job.status == ImportStatus.REJECTED
    assert "文本格式" in error_rows(job)[0]["错误原因"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8"])
def test_csv_in_gbk_and_utf8_without_bom(baocheng_worker, encoding):
    rows = [row("欧阳娜娜"), row("司马懿")]
    job = do_import(baocheng_worker, csv_bytes(rows, encoding=encoding))
    assert_done(job)
    assert _person(rows[0][1]).name == "欧阳娜娜"


def test_a_broken_encoding_is_refused_before_anything_is_stored(baocheng_worker):
    content = csv_bytes([row("王芳")], encoding="gbk")
    broken = content[:-6] + b"\xff\xfe\x80" + content[-6:]
    with pytest.raises(ValidationError) as exc:
        create_job(baocheng_worker, broken)
    assert exc.value.code == "import_encoding"
    assert "编码无法识别" in exc.value.messages[0] and "第2行" in exc.value.messages[0]


def test_an_old_xls_file_is_refused_with_a_hint(baocheng_worker):
    with pytest.raises(ValidationError, match="另存为"):
        create_job(
            baocheng_worker, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="登记表.xls"
        )


# --- wrong columns --------------------------------------------------------------------------


def test_wrong_columns_are_named_and_nothing_is_imported(baocheng_worker):
    headers = [h for h in HEADERS if h != "身份证号码"] + ["备注"]
    rows = [[*r[:1], *r[2:], "无"] for r in family()]
    with pytest.raises(ValidationError) as exc:
        create_job(baocheng_worker, csv_bytes(rows, headers))
    message = exc.value.messages[0]
    assert "缺少必填列：身份证号码" in message and "无法识别的列：备注" in message
    assert not Person.unscoped.exists()


def test_headers_with_half_width_brackets_and_asterisks_are_accepted(baocheng_worker):
    headers = ["*姓名", "*身份证号", "*手机号码", "现居住村(社区)区划代码"]
    number = new_id()
    job = do_import(
        baocheng_worker, csv_bytes([["刘洋", number, "13812345678", BAOCHENG]], headers)
    )
    assert_done(job)


# --- bad rows in both modes -----------------------------------------------------------------


def test_all_or_nothing_a_bad_check_digit_rejects_the_whole_file(baocheng_worker):
    rows = [row("甲"), row("乙", bad_check_digit(new_id())), row("丙")]
    job = do_import(baocheng_worker, csv_bytes(rows))

    assert job.status == ImportStatus.REJECTED
    assert (job.created_count, job.error_count, job.processed_rows) == (0, 1, 3)
    assert not Person.unscoped.exists() and not Household.unscoped.exists()
    [bad] = error_rows(job)
    assert bad["行号"] == 3 and bad["姓名"] == "乙" and bad["身份证号码"] == rows[1][1]
    assert bad["错误原因"] == "身份证号码校验位错误，请核对号码。"


def test_valid_only_imports_the_valid_rows_and_lists_the_bad(baocheng_worker):
    rows = [row("甲"), row("乙", bad_check_digit(new_id())), row("丙", phone="1234")]
    job = do_import(baocheng_worker, csv_bytes(rows), mode="valid")

    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.error_count) == (1, 2)
    assert Person.unscoped.get().name == "甲"
    assert [(r["行号"], r["错误原因"]) for r in error_rows(job)] == [
        (3, "身份证号码校验位错误，请核对号码。"),
        (4, "手机号码应为以1开头的11位数字。"),
    ]


def test_a_row_with_several_problems_lists_them_all(baocheng_worker):
    rows = [row("", "12345", phone="", community="420102999999", tags="不存在的标签,age-60")]
    job = do_import(baocheng_worker, csv_bytes(rows))
    reason = error_rows(job)[0]["错误原因"]
    for part in (
        "请填写姓名",
        "身份证号码应为18位",
        "手机号码",
        "“420102999999”不存在",
        "标签“不存在的标签”不存在",
        "年龄类标签",
    ):
        assert part in reason


# --- duplicates, re-imports, households ------------------------------------------------------


def test_reimporting_the_same_file_creates_no_duplicates(baocheng_worker):
    content = csv_bytes(family("H20260009"))
    first = do_import(baocheng_worker, content)
    second = do_import(baocheng_worker, content)

    assert (first.created_count, second.created_count, second.unchanged_count) == (3, 0, 3)
    assert second.status == ImportStatus.DONE and second.file_sha256 == first.file_sha256
    assert Person.unscoped.count() == 3 and Household.unscoped.count() == 1


def test_an_existing_person_is_skipped_not_overwritten(baocheng_worker):
    number = new_id()
    factories.person(community=BAOCHENG, name="原名", id_number=number, phone="13700000000")
    job = do_import(baocheng_worker, csv_bytes([row("新名", number), row("新人")]))
    assert (job.created_count, job.unchanged_count) == (1, 1)
    assert _person(number).name == "原名" and _person(number).phone == "13700000000"


def test_a_number_twice_in_one_file_is_an_error_on_the_later_row(baocheng_worker):
    number = new_id()
    legacy = number[:6] + number[8:17]  # the same person's 15-digit number
    rows = [row("甲", number), row("乙"), row("甲", number), row("甲", legacy)]
    job = do_import(baocheng_worker, csv_bytes(rows), mode="valid")
    assert (job.created_count, job.error_count) == (2, 2)
    assert [r["行号"] for r in error_rows(job)] == [4, 5]
    assert "重复" in error_rows(job)[0]["错误原因"]


def test_a_household_has_one_head(baocheng_worker):
    rows = [
        row("甲", household="H1", relationship="户主"),
        row("乙", household="H1", relationship="02"),
    ]
    job = do_import(baocheng_worker, csv_bytes(rows), mode="valid")
    assert (job.created_count, error_rows(job)[0]["错误原因"]) == (1, "该户已有户主。")
    # a later file cannot add a second head to the existing household either
    job = do_import(baocheng_worker, csv_bytes([row("丙", household="H1", relationship="户主")]))
    assert job.status == ImportStatus.REJECTED and "已有户主" in error_rows(job)[0]["错误原因"]


def test_members_join_an_existing_household(baocheng_worker):
    do_import(baocheng_worker, csv_bytes([row("甲", household="H7", relationship="户主")]))
    number = new_id()
    job = do_import(
        baocheng_worker, csv_bytes([row("乙", number, household="H7", relationship="女儿")])
    )
    assert_done(job)
    assert _person(number).household.number == "H7" and _person(number).relationship == "30"
    assert Household.unscoped.count() == 1


def test_a_household_spread_over_several_batches(baocheng_worker, settings):
    settings.BIANMIN = {**settings.BIANMIN, "IMPORT_BATCH_SIZE": 2}
    rows = [
        row("甲", household="H8", relationship="户主"),
        row("乙", household="H8", relationship="配偶"),
        row("丙", household="H8", relationship="子"),
        row("丁"),
    ]
    job = do_import(baocheng_worker, csv_bytes(rows))
    assert_done(job)
    household = Household.unscoped.get(number="H8")
    assert household.members.count() == 3 and Household.unscoped.count() == 1


def test_full_width_digits_are_read_as_the_same_number(baocheng_worker):
    number = new_id()
    full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    job = do_import(
        baocheng_worker, csv_bytes([row("甲", full_width, phone="１３８１２３４５６７８")])
    )
    assert_done(job)
    assert _person(number).phone == "13812345678"


def test_a_collision_with_a_concurrent_registration_fails_cleanly(baocheng_worker, monkeypatch):
    # Given someone registers a person of the file while the import runs (simulated: the
    # batch's duplicate check cannot see the registration yet)
    number = new_id()
    factories.person(community=BAOCHENG, id_number=number)
    monkeypatch.setattr("bianmin.registry.importing.rows.existing_people", lambda hashes: set())
    # When the import writes that batch
    job = do_import(baocheng_worker, csv_bytes([row("甲"), row("乙", number)]))
    # Then the job fails with a message to run it again, and nothing of it is kept
    assert job.status == ImportStatus.FAILED and "重新导入" in job.message
    assert Person.unscoped.count() == 1


# --- scope --------------------------------------------------------------------------------


def test_a_row_outside_the_importers_area_is_an_error(baocheng_worker):
    rows = [row("本社区"), row("外区", community=WANNIAN)]
    job = do_import(baocheng_worker, csv_bytes(rows), mode="valid")
    assert (job.created_count, job.error_count) == (1, 1)
    assert "不在您的管辖范围内" in error_rows(job)[0]["错误原因"]
    assert job.area_prefix == BAOCHENG


def test_staff_without_an_importing_role_cannot_start_an_import(db):
    doctor = factories.staff("doctor", role="doctor", division=BAOCHENG, department="WJ")
    with pytest.raises(PermissionDenied):
        create_job(doctor, csv_bytes([row()]))


# --- progress and logs ------------------------------------------------------------------------


def test_progress_is_recorded_batch_by_batch(baocheng_worker, settings, monkeypatch):
    settings.BIANMIN = {**settings.BIANMIN, "IMPORT_BATCH_SIZE": 2}
    # (at most once a second in real time; every batch of this tiny file here)
    monkeypatch.setattr("bianmin.registry.services.imports.PROGRESS_SECONDS", 0)
    stored: list[tuple[int, int]] = []

    def watch(job):  # what a poller would read from the database after each batch
        stored.append(ImportJob.objects.values_list("processed_rows", "total_rows").get(pk=job.pk))

    job = do_import(baocheng_worker, csv_bytes([row(f"人{i}") for i in range(5)]), progress=watch)
    # SQLite checks in a first pass and writes in a second: each reports its own progress.
    passes = 1 if connection.vendor == "postgresql" else 2
    assert stored == [(2, 5), (4, 5), (5, 5)] * passes
    assert (job.processed_rows, job.total_rows, job.percent) == (5, 5, 100)


def test_no_id_number_reaches_the_log(baocheng_worker, caplog):
    good, bad = new_id(), bad_check_digit(new_id())
    with caplog.at_level(logging.DEBUG):
        do_import(baocheng_worker, csv_bytes([row("甲", good), row("乙", bad)]), mode="valid")
    assert caplog.records  # the import does log its start and end
    for number in (good, bad, good[:6] + good[8:17]):
        assert number not in caplog.text
    assert "13812345678" not in caplog.text
