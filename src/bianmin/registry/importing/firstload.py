"""A first load: a large all-or-nothing import into an empty 人口库 (PostgreSQL).

Loading a city's register the first time is a restore more than an import, and is done the
way pg_restore does it: the rows first, then the secondary indexes, each built once by a sort
instead of being updated row by row (with 1M people most of those updates hit pages no longer
in shared buffers), and the foreign keys between the three tables checked by one join each
instead of a trigger per row.

Only when it stays correct for everyone else:

- The import's own transaction takes the people, household and tag tables with ACCESS
  EXCLUSIVE locks (waiting at most `IMPORT_FIRST_LOAD_LOCK_WAIT` for readers to finish, else
  it imports the ordinary way) and then finds them empty. Until it commits, other sessions
  wait for these three tables — readers included — and then see the whole load or nothing.
  With the tables empty there is nobody to show yet; that is why only an empty register is
  loaded this way.
- Dropping and recreating indexes and constraints is transactional in PostgreSQL: a bad row,
  a failure or a crash rolls back to the tables exactly as they were, indexes included.
- Unique indexes (the ID hash, 户号, a tag once per person) and the primary keys stay in place
  throughout, so uniqueness is enforced row by row as always; so are the foreign keys to
  divisions, grids, the job and users — dropping those would lock the referenced tables,
  which every page reads.
- The tables being empty and locked, nobody is registered yet and nobody else can register:
  the per-batch look-ups of existing ID numbers and 户号 have nothing to find and are skipped
  (duplicates within the file are still refused, from the numbers seen so far).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, connection, transaction

from bianmin.registry.models import Household, Person, PersonTag

_TABLES = (Person._meta.db_table, Household._meta.db_table, PersonTag._meta.db_table)


def wanted(estimated_rows: int) -> bool:
    """Whether an import of this size should try a first load (PostgreSQL only)."""
    threshold = settings.BIANMIN.get("IMPORT_FIRST_LOAD_MIN_ROWS", 100_000)
    return (
        connection.vendor == "postgresql" and threshold is not None and estimated_rows >= threshold
    )


@dataclass
class Deferred:
    """What was dropped inside the transaction, to be rebuilt before it commits."""

    indexes: list[str] = field(default_factory=list)  # CREATE INDEX statements
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, def


def take_empty_tables() -> Deferred | None:
    """Inside the import's transaction: lock the three tables, and if they are empty, drop
    their secondary indexes and the foreign keys among them. None (nothing locked, nothing
    dropped) when the lock is not granted in time or the register already holds someone."""
    wait_ms = int(settings.BIANMIN.get("IMPORT_FIRST_LOAD_LOCK_WAIT", 2.0) * 1000)
    tables = ", ".join(connection.ops.quote_name(t) for t in _TABLES)
    try:
        # A savepoint: its rollback also gives the locks back when the load is not a first one.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {wait_ms}")
            cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
            cursor.execute("SET LOCAL lock_timeout = DEFAULT")
            cursor.execute(
                f"SELECT EXISTS (SELECT FROM {connection.ops.quote_name(_TABLES[0])}) "  # noqa: S608
                f"OR EXISTS (SELECT FROM {connection.ops.quote_name(_TABLES[1])})"
            )
            if cursor.fetchone()[0]:
                raise _NotEmpty
            return _drop(cursor)
    except (_NotEmpty, OperationalError):  # OperationalError: lock_timeout expired
        return None


class _NotEmpty(Exception):
    pass


def _drop(cursor) -> Deferred:
    deferred = Deferred()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique "
        "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1",
        [list(_TABLES)],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
        "AND confrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
        [list(_TABLES), list(_TABLES)],
    )
    foreign_keys = cursor.fetchall()
    for name, definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
        deferred.indexes.append(definition)
    for table, name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        deferred.foreign_keys.append((table, name, definition))
    return deferred


def rebuild(deferred: Deferred) -> None:
    """Before the commit: build the indexes and add back (and so check) the foreign keys."""
    memory = settings.BIANMIN.get("IMPORT_FIRST_LOAD_INDEX_MEMORY", "256MB")
    with connection.cursor() as cursor:
        # Per index build, in the server; the sort of the largest index then fits in memory.
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [memory])
        for statement in deferred.indexes:
            cursor.execute(statement)
        for table, name, definition in deferred.foreign_keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
