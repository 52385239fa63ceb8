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


def test_the_keys_to_other_tables_are_checked_once_and_all_constraints_stay_valid(
    reference_data, first_load, spy, baocheng_worker
):
    job = do_import(baocheng_worker, csv_bytes([*family("H4001"), row("高圆")]))
    assert_done(job)
    assert spy == [True]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(convalidated) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [list(TABLES)],
        )
        assert cursor.fetchone()[0] is True
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def test_a_first_load_leaves_divisions_and_grids_open_to_others(reference_data):
    """Only the three register tables are locked: the foreign keys to divisions, grids, the
    job and users are not dropped (that would lock those tables too), their triggers are
    skipped for the import's transaction."""
    import psycopg
    from django.db import transaction

    from bianmin.registry.importing import firstload

    settings_dict = connection.settings_dict
    other = psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    )
    try:
        other.execute("SET lock_timeout = '2s'")
        with transaction.atomic():
            deferred = firstload.take_empty_tables()
            assert deferred is not None and deferred.unchecked  # triggers skipped, keys noted
            other.execute("SELECT count(*) FROM registry_division").fetchone()
            other.execute("SELECT count(*) FROM registry_grid").fetchone()
            other.execute("UPDATE registry_division SET name = name WHERE code = %s", [BAOCHENG])
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT count(*) FROM registry_person")
            transaction.set_rollback(True)
    finally:
        other.close()


def test_a_row_pointing_at_a_place_that_is_gone_fails_the_first_load(reference_data):
    """What the skipped trigger would have refused, the check before the commit refuses."""
    from django.db import IntegrityError, transaction

    from bianmin.registry.importing import firstload

    with pytest.raises(IntegrityError, match="registered_division"), transaction.atomic():
        deferred = firstload.take_empty_tables()
        assert deferred is not None
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO registry_person (id_cipher, id_hash, id_masked, id_last4, name, "
                "name_initials, sex, birth_date, ethnicity, phone, relationship, "
                "registered_address, residence_address, residence_type, life_status, "
                "status_source, area_code, created_at, updated_at, registered_division_id) "
                "VALUES ('c', 'h', 'm', '0000', '某', 'M', 'M', '1980-01-01', '', '', '', '', "
                "'', 'registered', 'alive', '', '420102', now(), now(), '429999999999')"
            )
        firstload.rebuild(deferred)
    assert Person.unscoped.count() == 0
