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
- The unique constraints (the ID hash, 户号, a tag once per person) are dropped too and added
  back before the commit, each built by one sort — at 1M people the ID hash's index is
  random inserts into ~100 MB of pages no longer in shared buffers. Meanwhile the checker
  refuses a number met earlier in the file (the register being empty, that is every
  duplicate), and adding the constraint back checks the whole table again: a duplicate the
  checker missed fails the import. A unique constraint some foreign key refers to stays,
  and so do the primary keys.
- The foreign keys to divisions, grids, the job and users are *not* dropped: dropping a
  foreign key takes ACCESS EXCLUSIVE on the referenced table too (its action triggers live
  there), and every page reads divisions — checked on PostgreSQL 15, docs/registry.md. Their
  per-row check triggers (an SPI query per row and key, most of a COPY's server CPU) are
  skipped instead with `session_replication_role = replica` for this transaction only, as
  pg_restore's data-only loads do, and each key is checked once before the commit by an
  anti-join. That takes no lock on the referenced tables at all: readers and writers of
  divisions and grids go on. It stays correct because the three tables are locked: a division
  or grid deleted while the load runs has its own RI check (on its commit) wait for our lock
  and then fail on our rows; one deleted before our rows arrive is caught by the anti-join.
  The setting needs a superuser or, from PostgreSQL 15, `GRANT SET ON PARAMETER
  session_replication_role TO <role>`; without it the triggers fire as before (slower, same
  result). Nothing else on these tables is a trigger (checked before relying on it).
- The tables being empty and locked, nobody is registered yet and nobody else can register:
  the per-batch look-ups of existing ID numbers and 户号 have nothing to find and are skipped
  (duplicates within the file are still refused, from the numbers seen so far).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, OperationalError, ProgrammingError, connection, transaction

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
    unique: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, def
    # Foreign keys to other tables whose per-row triggers this transaction skips, checked by
    # one anti-join each before the commit: (table, name, referenced table, columns, theirs).
    unchecked: list[tuple[str, str, str, list[str], list[str]]] = field(default_factory=list)


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
    cursor.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c WHERE c.contype = 'u' AND c.conrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' "
        "                AND f.conindid = c.conindid) ORDER BY 1, 2",
        [list(_TABLES)],
    )
    unique = cursor.fetchall()
    for name, definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
        deferred.indexes.append(definition)
    for table, name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        deferred.foreign_keys.append((table, name, definition))
    for table, name, definition in unique:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        deferred.unique.append((table, name, definition))
    deferred.unchecked = _skip_outward_checks(cursor)
    return deferred


def _skip_outward_checks(cursor) -> list[tuple[str, str, str, list[str], list[str]]]:
    """Turn off the per-row triggers for this transaction when allowed and when the only
    triggers on the three tables are the foreign keys' own; return the keys to check."""
    cursor.execute(
        "SELECT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) "
        "AND NOT tgisinternal)",
        [list(_TABLES)],
    )
    if cursor.fetchone()[0]:  # a trigger of someone's: it must keep firing
        return []
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except (ProgrammingError, OperationalError):  # InsufficientPrivilege: keep the triggers
        return []
    cursor.execute(
        "SELECT c.conrelid::regclass::text, c.conname, c.confrelid::regclass::text, "
        "ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) "
        "      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i), "
        "ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i) "
        "      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) "
        "FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) "
        "AND NOT c.confrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
        [list(_TABLES), list(_TABLES)],
    )
    return [(t, n, r, list(cols), list(refs)) for t, n, r, cols, refs in cursor.fetchall()]


def rebuild(deferred: Deferred) -> None:
    """Before the commit: build the indexes and add back (and so check) the foreign keys."""
    memory = settings.BIANMIN.get("IMPORT_FIRST_LOAD_INDEX_MEMORY", "256MB")
    with connection.cursor() as cursor:
        if deferred.unchecked:
            # Triggers fire again for whatever the transaction does next (the job, its audit).
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            _check_outward_keys(cursor, deferred.unchecked)
        # Per index build, in the server; the sort of the largest index then fits in memory.
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [memory])
        for statement in deferred.indexes:
            cursor.execute(statement)
        for table, name, definition in (*deferred.unique, *deferred.foreign_keys):
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )


def _check_outward_keys(cursor, keys: list[tuple[str, str, str, list[str], list[str]]]) -> None:
    """What the skipped triggers would have checked, one anti-join per key (MATCH SIMPLE: a
    row with a NULL in the key is not checked)."""
    quote = connection.ops.quote_name
    for table, name, referenced, columns, their_columns in keys:
        present = " AND ".join(f"t.{quote(c)} IS NOT NULL" for c in columns)
        match = " AND ".join(
            f"r.{quote(theirs)} = t.{quote(c)}"
            for c, theirs in zip(columns, their_columns, strict=True)
        )
        cursor.execute(
            f"SELECT EXISTS (SELECT FROM {table} t WHERE {present} "  # noqa: S608
            f"AND NOT EXISTS (SELECT FROM {referenced} r WHERE {match}))"
        )
        if cursor.fetchone()[0]:
            # What the trigger would have raised: a row refers to something no longer there.
            raise IntegrityError(f"foreign key {name} violated by the loaded rows")
