"""An import's per-file state past its caps (ID-number keys, 户号) kept in a temporary database:
the same people, 户 and errors, with the same row numbers, as when all of it stays in memory;
the temporary files are gone afterwards, also when the import fails."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from bianmin.registry.importing import spill as spill_module
from bianmin.registry.importing.seen import SeenKeys
from bianmin.registry.importing.spill import Spill
from bianmin.registry.models import Household, ImportStatus, Person
from tests.registry.import_helpers import (
    assert_done,
    csv_bytes,
    do_import,
    error_rows,
    family,
    new_id,
    row,
)

DUPLICATE = "身份证号码在本文件中重复出现"
SECOND_HEAD = "该户已有户主"
MEMORY, DISK = (10**9, 10**9), (1, 1)


@pytest.fixture
def spill_dir(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "spill"
    path.mkdir()
    settings.BIANMIN = {
        **settings.BIANMIN,
        "IMPORT_INLINE_THREAD": False,
        "IMPORT_BATCH_SIZE": 2,
        "IMPORT_SPILL_DIR": str(path),
    }
    return path


@pytest.fixture
def spilled(monkeypatch):
    """Records what went to the spill database."""
    moved = {"keys": 0, "households": 0}
    real_keys, real_households = Spill.add_keys, Spill.put_households

    def add_keys(self, keys):
        keys = list(keys)
        moved["keys"] += len(keys)
        real_keys(self, keys)

    def put_households(self, rows):
        rows = list(rows)
        moved["households"] += len(rows)
        real_households(self, rows)

    monkeypatch.setattr(Spill, "add_keys", add_keys)
    monkeypatch.setattr(Spill, "put_households", put_households)
    return moved


def caps(settings, which: tuple[int, int]) -> None:
    settings.BIANMIN = {
        **settings.BIANMIN,
        "IMPORT_SEEN_KEYS_IN_MEMORY": which[0],
        "IMPORT_HOUSEHOLDS_IN_MEMORY": which[1],
    }


def far_apart_file() -> tuple[list[list[str]], dict[int, str]]:
    """A file whose 户 and duplicates are far apart (batches of two, caps of one); and the
    errors expected, by row number (the header is row 1)."""
    first, second, twin = new_id(), new_id(), new_id()
    rows = [
        row("甲", first, household="H1", relationship="户主"),
        row("乙", second, household="H1", relationship="配偶"),
        row("戊", household="H50", relationship="子"),  # joins a registered 户 with a head
        *[row(f"填{i}", household=f"H{i}", relationship="户主") for i in range(2, 10)],
        row("丙", household="H1", relationship="子"),  # H1 again, 9 rows later
        row("己", household="H1", relationship="户主"),  # a second head for H1
        row("甲二", first),  # the first row's number again
        row("丁"),
        row("庚", twin),
        row("庚二", twin),  # the same batch's number again
        row("辛", household="H3", relationship="子"),  # joins H3, long evicted
        row("壬", household="H50", relationship="户主"),  # a second head for H50
        row("癸", second, household="H4", relationship="子"),  # second's number again
    ]
    errors = {14: SECOND_HEAD, 15: DUPLICATE, 18: DUPLICATE, 20: SECOND_HEAD, 21: DUPLICATE}
    return rows, errors


def _register_h50(user) -> None:
    assert_done(do_import(user, csv_bytes([row("老户主", household="H50", relationship="户主")])))


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["valid", "all"])
@pytest.mark.parametrize("which", [MEMORY, DISK], ids=["memory", "disk"])
def test_spilled_state_gives_the_same_results_as_memory(
    baocheng_worker, settings, spill_dir, spilled, mode, which
):
    _register_h50(baocheng_worker)
    caps(settings, which)
    rows, expected = far_apart_file()
    job = do_import(baocheng_worker, csv_bytes(rows), mode=mode)
    found = {r["行号"]: r["错误原因"] for r in error_rows(job)}
    assert sorted(found) == sorted(expected)
    for number, reason in expected.items():
        assert reason in found[number]
    if mode == "all":
        assert job.status == ImportStatus.REJECTED
        assert Person.unscoped.count() == 1 and Household.unscoped.count() == 1
    else:
        assert (job.created_count, job.error_count) == (len(rows) - len(expected), len(expected))
        h1 = Household.unscoped.get(number="H1")
        assert sorted(h1.members.values_list("name", flat=True)) == ["丙", "乙", "甲"]
        assert h1.members.filter(relationship="02").count() == 1
        h3 = Household.unscoped.get(number="H3")
        assert sorted(h3.members.values_list("name", flat=True)) == ["填3", "辛"]
        h50 = Household.unscoped.get(number="H50")
        assert sorted(h50.members.values_list("name", flat=True)) == ["戊", "老户主"]
        assert Household.unscoped.count() == 10  # H1–H9 and H50, each once
    if which == DISK:
        assert spilled["keys"] and spilled["households"]
    else:
        assert spilled == {"keys": 0, "households": 0}
    assert list(spill_dir.iterdir()) == []


@pytest.mark.django_db
def test_a_failing_import_leaves_no_temporary_files(
    baocheng_worker, settings, spill_dir, spilled, monkeypatch
):
    caps(settings, DISK)
    from bianmin.registry.importing import rows as rows_module

    real = rows_module.existing_people
    calls = []

    def fail_later(hashes):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("the database went away")
        return real(hashes)

    monkeypatch.setattr(rows_module, "existing_people", fail_later)
    file_rows = [row(f"人{i}", household=f"H{i}", relationship="户主") for i in range(10)]
    job = do_import(baocheng_worker, csv_bytes(file_rows), mode="valid")
    assert job.status == ImportStatus.FAILED
    assert spilled["keys"] and spilled["households"]  # it had spilled before failing
    assert list(spill_dir.iterdir()) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a first load: PostgreSQL")
def test_a_first_load_gives_evicted_households_their_ids(
    reference_data, baocheng_worker, settings, spill_dir, spilled
):
    # A first load skips the register's look-ups: a 户 met again comes only from the spill,
    # with the id the writer gave it.
    caps(settings, DISK)
    settings.BIANMIN = {**settings.BIANMIN, "IMPORT_FIRST_LOAD_MIN_ROWS": 3}
    rows = [*family("H1001"), *family("H1002"), *family("H1003")]
    rows += [row("远亲", household="H1001", relationship="女"), row("单身")]
    job = do_import(baocheng_worker, csv_bytes(rows))
    assert_done(job)
    assert Household.unscoped.count() == 3
    assert Household.unscoped.get(number="H1001").members.count() == 4
    assert Person.unscoped.filter(relationship="02").count() == 3
    assert spilled["households"]
    assert list(spill_dir.iterdir()) == []


def test_spilled_keys_answer_like_a_set(tmp_path):
    rng = random.Random(2260)
    keys = [rng.getrandbits(60) for _ in range(5_000)] + [0]
    keys += rng.sample(keys, 1_500)
    rng.shuffle(keys)
    spill = Spill(str(tmp_path))
    seen, reference = SeenKeys(capacity=8, cap=300, spill=spill), set()
    try:
        for start in range(0, len(keys), 97):
            batch = keys[start : start + 97]
            seen.prepare(batch)
            for key in batch:
                assert seen.add(key) == ((key or 1) not in reference)
                reference.add(key or 1)
        assert len(seen) == len(reference)
        assert spill.path is not None and spill.path.exists()
    finally:
        spill.close()
    assert list(tmp_path.iterdir()) == []


def test_the_caps_come_from_settings(settings):
    settings.BIANMIN = {
        **settings.BIANMIN,
        "IMPORT_SEEN_KEYS_IN_MEMORY": 5,
        "IMPORT_HOUSEHOLDS_IN_MEMORY": 7,
    }
    assert spill_module.caps() == (5, 7)
