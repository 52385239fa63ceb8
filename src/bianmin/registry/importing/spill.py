"""Where an import's per-file state goes once it passes its cap: a private SQLite database in a
temporary directory, so what a pass remembers stays bounded whatever the file's size.

Two things grow with the file: the ID-number keys met so far (`seen`) and the 户号 met so far
(`households`). Each keeps a bounded part in memory and moves the rest here; the operating
system's page cache holds these pages, not the import's process (only SQLite's own page cache,
`_CACHE_KIB`, is). Nothing here needs to survive a crash — no journal, no fsync — and the
directory is removed when the pass ends, whether it succeeded or not.

The database is created on first use only: most imports never spill, and the import's worker
processes are forked before it exists (a SQLite connection must not cross a fork).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

_CACHE_KIB = 16_384  # SQLite's page cache for the spill database
_SCHEMA = (
    "CREATE TABLE seen (key INTEGER PRIMARY KEY)",
    "CREATE TABLE household (number TEXT PRIMARY KEY, id, division, area, has_head,"
    " in_scope) WITHOUT ROWID",
)


def caps() -> tuple[int, int]:
    """(ID-number keys, 户号) an import keeps in memory before spilling (settings)."""
    config = settings.BIANMIN
    return (
        int(config.get("IMPORT_SEEN_KEYS_IN_MEMORY", 1_000_000)),
        int(config.get("IMPORT_HOUSEHOLDS_IN_MEMORY", 100_000)),
    )


def _stored(key: int) -> int:
    """A 60-bit key with its low 20 bits moved on top (a bijection; see `add_keys`)."""
    return (key & 0xFFFFF) << 40 | key >> 20


def _key(stored: int) -> int:
    return (stored & 0xFF_FFFF_FFFF) << 20 | stored >> 40


class Spill:
    """The temporary database of one pass over a file; `close()` deletes it."""

    def __init__(self, directory: str | None = None) -> None:
        self._parent = directory
        self._dir: Path | None = None
        self._db: sqlite3.Connection | None = None

    @property
    def path(self) -> Path | None:
        return self._dir

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            parent = self._parent or settings.BIANMIN.get("IMPORT_SPILL_DIR") or None
            self._dir = Path(tempfile.mkdtemp(prefix="bianmin-import-", dir=parent))
            # The pass's one thread uses it, but that may not be the thread that made it.
            db = sqlite3.connect(
                self._dir / "spill.sqlite3", isolation_level=None, check_same_thread=False
            )
            for pragma in (
                "journal_mode = OFF",
                "synchronous = OFF",
                "temp_store = FILE",
                f"cache_size = -{_CACHE_KIB}",
            ):
                db.execute(f"PRAGMA {pragma}")
            for statement in _SCHEMA:
                db.execute(statement)
            self._db = db
        return self._db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction per batch of writes: in autocommit each row would be one, ~6×
        slower (1M keys: 8 s instead of 1.3 s)."""
        db = self._open()
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")  # nothing here needs rolling back: the file is thrown away

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    # --- ID-number keys -----------------------------------------------------------------------

    def add_keys(self, keys: Iterable[int]) -> None:
        """Keys in the order of `SeenKeys`' slots: by their low bits, which `_stored` puts on
        top — so the B-tree is written nearly in order (random inserts cost twice as much),
        without sorting a million ints first (~40 MB while it lasts)."""
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO seen VALUES (?)", ((_stored(k),) for k in keys))

    def keys_among(self, keys: list[int]) -> set[int]:
        """Which of these keys were spilled. (The list travels as one JSON parameter: a batch
        has more keys than older SQLite builds allow bound variables.)"""
        if self._db is None or not keys:
            return set()
        rows = self._db.execute(
            "SELECT key FROM seen WHERE key IN (SELECT value FROM json_each(?))",
            [json.dumps([_stored(k) for k in keys])],
        )
        return {_key(k) for (k,) in rows}

    # --- 户 -------------------------------------------------------------------------------------

    def put_households(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """(number, id, division, area, has_head, in_scope) — replacing what was spilled
        before: the state in memory is always the newer."""
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO household VALUES (?, ?, ?, ?, ?, ?)", rows)

    def households_among(self, numbers: list[str]) -> list[tuple[Any, ...]]:
        if self._db is None or not numbers:
            return []
        return self._db.execute(
            "SELECT number, id, division, area, has_head, in_scope FROM household "
            "WHERE number IN (SELECT value FROM json_each(?))",
            [json.dumps(numbers, ensure_ascii=False)],
        ).fetchall()

    def set_household_id(self, number: str, pk: int) -> None:
        self._open().execute("UPDATE household SET id = ? WHERE number = ?", [pk, number])
