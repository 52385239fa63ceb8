"""A first load (a large import into an empty 人口库, PostgreSQL): indexes built after the rows,
all or nothing, and only when the register is empty.

These run the real pipeline (writer thread, its own connection), so the test database is
committed to (transaction=True) and the threshold lowered to the test files' size.
"""

from __future__ import annotations

import pytest
from django.db import connection

from bianmin.registry.models import Household, Person, PersonTag
from tests.conftest import BAOCHENG
from tests.registry.import_helpers import assert_done, csv_bytes, do_import, family, row

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and DDL: PostgreSQL"),
]
TABLES = ("registry_person", "registry_household", "registry_persontag")


def indexes_and_keys() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[])",
            [list(TABLES), list(TABLES)],
        )
        return set(cursor.fetchall())


@pytest.fixture
def first_load(settings):
    settings.BIANMIN = {
        **settings.BIANMIN,
        "IMPORT_FIRST_LOAD_MIN_ROWS": 3,
        "IMPORT_BATCH_SIZE": 2,
    }


@pytest.fixture
def spy(monkeypatch):
    """Records whether the import took the first-load path."""
    from bianmin.registry.importing import firstload

    taken: list[bool] = []
    real = firstload.take_empty_tables

    def take():
        deferred = real()
        taken.append(deferred is not None)
        return deferred

    monkeypatch.setattr(firstload, "take_empty_tables", take)
    return taken


def test_an_empty_register_is_loaded_with_its_indexes_built_afterwards(
    reference_data, first_load, spy, baocheng_worker
):
    before = indexes_and_keys()
    rows = [*family("H1001"), *family("H1002"), row("赵敏"), row("钱多多", tags="残疾人")]
    job = do_import(baocheng_worker, csv_bytes(rows))
    assert_done(job)
    assert spy == [True]
    assert indexes_and_keys() == before  # every index and foreign key is back, the same
    assert Person.unscoped.count() == 8 and Household.unscoped.count() == 2
    assert PersonTag.objects.count() == 3
    heads = Person.unscoped.filter(relationship="02").values_list("household__number", flat=True)
    assert sorted(heads) == ["H1001", "H1002"]
    # The rebuilt unique index still refuses a second registration of the same number.
    again = do_import(baocheng_worker, csv_bytes(rows[:3]))
    assert_done(again)
    assert (again.created_count, again.unchanged_count) == (0, 3)
    assert spy == [True, False]  # no longer empty: the ordinary way


def test_a_bad_row_rolls_back_the_rows_and_keeps_the_indexes(
    reference_data, first_load, spy, baocheng_worker
):
    before = indexes_and_keys()
    rows = [*family("H2001"), row("孙丽", community="420102999999"), row("周杰")]
    job = do_import(baocheng_worker, csv_bytes(rows))
    assert job.status == "rejected"
    assert spy == [True]
    assert Person.unscoped.count() == 0 and Household.unscoped.count() == 0
    assert indexes_and_keys() == before


def test_duplicates_within_the_file_are_refused_on_a_first_load(
    reference_data, first_load, spy, baocheng_worker
):
    twin = row("吴刚")
    job = do_import(baocheng_worker, csv_bytes([row("郑爽"), twin, row("冯巩"), twin]))
    assert job.status == "rejected" and job.error_count == 1
    assert spy == [True]
    assert Person.unscoped.count() == 0


def test_a_register_with_people_is_imported_the_ordinary_way(
    reference_data, first_load, spy, baocheng_worker
):
    assert_done(do_import(baocheng_worker, csv_bytes([row("陈红")])))
    job = do_import(baocheng_worker, csv_bytes([row("林峰"), row("黄蓉"), row("郭靖")]))
    assert_done(job)
    assert spy == [False]  # the first file, below the threshold, did not even try
    assert Person.unscoped.filter(area_code__startswith=BAOCHENG).count() == 4
