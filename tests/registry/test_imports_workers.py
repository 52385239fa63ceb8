"""Rows checked in worker processes (PostgreSQL): the same people, the same errors with the
same row numbers as when one process checks them, and a failing worker fails the import.

The pool is only used by a process's single thread; pytest-xdist runs an I/O thread beside
the tests, so the thread count is made to read 1 here (nothing else forks meanwhile).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from bianmin.registry.importing import fields, pipeline, workers
from bianmin.registry.models import Household, Person, PersonTag
from tests.registry.import_helpers import (
    assert_done,
    bad_check_digit,
    csv_bytes,
    do_import,
    error_rows,
    family,
    new_id,
    row,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pool serves the COPY path"
)


@pytest.fixture
def pool_used(settings, monkeypatch):
    """Two workers for any file; records how many processes each pass forked."""
    settings.BIANMIN = {
        **settings.BIANMIN,
        "IMPORT_WORKERS": 2,
        "IMPORT_WORKERS_MIN_ROWS": 0,
        "IMPORT_BATCH_SIZE": 2,
    }
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    forked: list[int] = []
    real = pipeline.FieldPool

    class Spy(real):
        def __init__(self, checker, processes):
            super().__init__(checker, processes)
            forked.append(len(self.pids))

    monkeypatch.setattr(pipeline, "FieldPool", Spy)
    return forked


def messy_file() -> bytes:
    twin = new_id()
    return csv_bytes(
        [
            *family("H3001"),
            row("赵敏", id_number=twin),
            row("", phone="123"),  # two problems in one row
            row("孙丽", id_number=bad_check_digit(new_id())),
            row("钱多多", tags="没有这个标签"),
            row("吴刚", id_number=twin),  # the same number again: the later row is refused
            row("周杰", household="H3001", relationship="户主"),  # a second head
            row("冯巩", community="420102999999"),
            *family("H3002"),
        ]
    )


def test_workers_give_the_same_errors_and_row_numbers_as_one_process(
    db, baocheng_worker, pool_used, settings
):
    content = messy_file()
    pooled = do_import(baocheng_worker, content, mode="valid")
    assert pool_used == [2]
    settings.BIANMIN = {**settings.BIANMIN, "IMPORT_WORKERS": 0}
    Person.unscoped.all().delete()
    Household.unscoped.all().delete()
    alone = do_import(baocheng_worker, content, mode="valid")
    assert pool_used == [2]  # the second import checked its rows in this process
    assert (pooled.status, pooled.created_count, pooled.error_count) == (
        alone.status,
        alone.created_count,
        alone.error_count,
    )
    assert pooled.created_count == 7 and pooled.error_count == 6
    assert error_rows(pooled) == error_rows(alone)
    assert [r["行号"] for r in error_rows(pooled)] == [6, 7, 8, 9, 10, 11]


def test_a_clean_file_through_the_workers(db, baocheng_worker, pool_used):
    rows = [*family("H3101"), *family("H3102"), row("林峰", tags="残疾人"), row("黄蓉")]
    job = do_import(baocheng_worker, csv_bytes(rows))
    assert_done(job)
    assert pool_used == [2]
    assert Person.unscoped.count() == 8 and Household.unscoped.count() == 2
    assert PersonTag.objects.count() == 3
    head = Person.unscoped.get(household__number="H3102", relationship="02")
    assert head.name == "王建国" and head.registered_division_id is not None


def test_a_failing_worker_fails_the_import_and_writes_nothing(
    db, baocheng_worker, pool_used, monkeypatch
):
    real = fields.FieldChecker.check

    def check(self, raw):
        if any(number == 6 for number, _values in raw):
            raise RuntimeError("boom")
        return real(self, raw)

    monkeypatch.setattr(fields.FieldChecker, "check", check)  # inherited by the fork
    job = do_import(baocheng_worker, csv_bytes([row(f"居民{i}") for i in range(8)]))
    assert job.status == "failed" and "WorkerFailed" in job.message
    assert Person.unscoped.count() == 0


def test_a_worker_cannot_reach_the_database(db):
    """What a forked worker does first: Django's connections are cut, not closed."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def child() -> None:
        workers._cut_database()
        try:
            Person.unscoped.count()
        except RuntimeError as exc:
            writer.send(str(exc))
        else:
            writer.send("queried")

    connection.ensure_connection()
    process = context.Process(target=child)
    process.start()
    process.join(10)
    assert "does not use the database" in reader.recv()
    # The parent's session is untouched by the child's exit.
    assert Person.unscoped.count() == 0
