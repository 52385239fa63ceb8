"""Writing checked batches: COPY on PostgreSQL, bulk_create elsewhere (SQLite).

On PostgreSQL a person arrives as COPY text already (made where its fields were checked, see
`fields`); the main process adds the id and the columns it decided in file order
(`CopyEncoder`), so the writer thread only streams three buffers per batch and hardly needs
the interpreter: the database works while Python checks the next batches. The ids are taken from
the tables' own identity sequences with nextval() — the values PostgreSQL would assign — so
the sequences stay consistent with the rows, and no row has to be read back to learn its id.

A batch that collides with a concurrent registration of the same number or 户号 (the unique
indexes refuse it) fails the job with a message saying to import again: nothing is
half-written in the all-or-nothing mode, and a second run skips whoever is registered by then.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from bianmin.registry.importing import firstload
from bianmin.registry.importing.batch import (
    HOUSEHOLD_FIELDS,
    HOUSEHOLD_SLOT,
    PERSON_DECIDED_FIELDS,
    PERSON_FIELDS,
    PERSON_TEXT_FIELDS,
    CheckedBatch,
)
from bianmin.registry.importing.fields import NULL, copy_text
from bianmin.registry.models import Household, Person, PersonTag

_TAG_FIELDS = ("person_id", "tag_id", "source", "added_by_id")
PERSON_COPY_COLUMNS = ("id", *PERSON_DECIDED_FIELDS, *PERSON_TEXT_FIELDS)


def _columns(model, attnames: tuple[str, ...]) -> str:
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    return ", ".join(connection.ops.quote_name(by_attname[a]) for a in attnames)


@dataclass(slots=True)
class WriteTotals:
    created: int = 0
    households_created: int = 0


class CopyEncoder:
    """Turns checked batches into COPY text (PostgreSQL), ids drawn from the sequences."""

    def __init__(self, *, tag_source: str, added_by_id: int | None):
        added_by = NULL if added_by_id is None else str(added_by_id)
        self._tag_tail = f"\t{copy_text(tag_source[:100])}\t{added_by}\n"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'id')",
                [Person._meta.db_table, Household._meta.db_table],
            )
            self._person_seq, self._household_seq = cursor.fetchone()

    def _ids(self, sequence: str, n: int) -> list[str]:
        """n new ids from the sequence, as the text COPY needs (one row, not n rows: building
        thousands of result tuples cost more than formatting the people)."""
        if not n:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT string_agg(nextval(%s)::text, ',') FROM generate_series(1, %s)",
                [sequence, n],
            )
            return cursor.fetchone()[0].split(",")

    def encode(self, batch: CheckedBatch) -> dict[str, int]:
        """Fill `batch.payload`; return the ids given to the batch's new households."""
        household_ids = {
            h[0]: int(pk)
            for h, pk in zip(
                batch.new_households,
                self._ids(self._household_seq, len(batch.new_households)),
                strict=True,
            )
        }
        stamps: dict[dt.datetime, str] = {}  # one per pass in practice; strftime is slow
        lines = []
        for number, kind, division, grid, address, area, created, updated in batch.new_households:
            stamp = stamps.get(created) or _stamp(stamps, created)
            lines.append(
                f"{household_ids[number]}\t{number}\t{kind}\t{division}\t{grid or NULL}\t"
                f"{copy_text(address)}\t{area}\t{stamp}\t"
                f"{stamp if updated is created else _stamp(stamps, updated)}\n"
            )
        households = "".join(lines)
        person_ids = self._ids(self._person_seq, len(batch.people))
        lines = []
        for pk, (text, household, registered, area) in zip(person_ids, batch.people, strict=True):
            if household.__class__ is str:
                household = household_ids[household]
            # PERSON_COPY_COLUMNS order: the columns decided in file order, then the rest.
            lines.append(f"{pk}\t{household or NULL}\t{registered or NULL}\t{area}\t{text}")
        tail = self._tag_tail
        tags = "".join(f"{person_ids[i]}\t{code}{tail}" for i, code in batch.tag_links)
        batch.payload = (households.encode(), "".join(lines).encode(), tags.encode())
        return household_ids


def _stamp(stamps: dict[dt.datetime, str], moment: dt.datetime) -> str:
    text = stamps.get(moment)
    if text is None:
        text = stamps[moment] = f"{moment:%Y-%m-%d %H:%M:%S.%f%z}"
    return text


class BatchWriter:
    """Writes batches through the calling thread's database connection."""

    def __init__(self, *, tag_source: str, added_by_id: int | None, try_first_load: bool = False):
        self.tag_source = tag_source[:100]
        self.added_by_id = added_by_id
        self.totals = WriteTotals()
        self._copy = connection.vendor == "postgresql"
        self._whole_file = False
        self.try_first_load = try_first_load and self._copy
        self._deferred: firstload.Deferred | None = None
        # Set once begin() knows whether this is a first load: the rows' checks depend on it.
        self.decided = threading.Event()

    @property
    def first_load(self) -> bool:
        return self._deferred is not None

    def begin(self) -> None:
        """Called first inside a transaction that will hold the whole file."""
        # No savepoint per batch then: each batch would run as a subtransaction, and every
        # row a batch references (a community, a grid, the job) would get a new MultiXact of
        # all earlier batches' key-share locks on it — quadratic in the number of batches.
        self._whole_file = True
        try:
            if self.try_first_load:
                self._deferred = firstload.take_empty_tables()
            self._begin_copy()
        finally:
            self.decided.set()

    def before_commit(self) -> None:
        """Called last inside the whole-file transaction."""
        if self._deferred is not None:
            firstload.rebuild(self._deferred)

    def _begin_copy(self) -> None:
        if self._copy:
            # Check foreign keys as each COPY ends rather than all at COMMIT (Django declares
            # them DEFERRABLE INITIALLY DEFERRED): the checks then overlap with reading the
            # next batch instead of running alone at the end, and the server keeps no queue
            # of a million pending trigger events.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def write(self, batch: CheckedBatch) -> None:
        write = self._write_copy if self._copy else self._write_orm
        if self._whole_file:
            write(batch)
        else:
            with transaction.atomic():
                write(batch)
        self.totals.created += len(batch.people)
        self.totals.households_created += len(batch.new_households)

    # --- PostgreSQL ---------------------------------------------------------------------------

    def _write_copy(self, batch: CheckedBatch) -> None:
        households, people, tags = batch.payload
        # COPY goes to psycopg directly; its errors become Django's (IntegrityError …) here.
        with connection.wrap_database_errors, connection.cursor() as cursor:
            for model, fields, data in (
                (Household, ("id", *HOUSEHOLD_FIELDS), households),
                (Person, PERSON_COPY_COLUMNS, people),
                (PersonTag, _TAG_FIELDS, tags),
            ):
                if data:
                    table = connection.ops.quote_name(model._meta.db_table)
                    with cursor.copy(f"COPY {table} ({_columns(model, fields)}) FROM STDIN") as c:
                        c.write(data)

    # --- SQLite (and any backend without COPY) ----------------------------------------------

    def _write_orm(self, batch: CheckedBatch) -> None:
        new_ids: dict[str, int] = {}
        if batch.new_households:
            households = Household.unscoped.bulk_create(
                [
                    Household(**dict(zip(HOUSEHOLD_FIELDS, h, strict=True)))
                    for h in batch.new_households
                ]
            )
            new_ids.update((h.number, h.pk) for h in households)
        people = Person.unscoped.bulk_create(
            [
                Person(**dict(zip(PERSON_FIELDS, p, strict=True)))
                for p in _with_household_ids(batch.people, new_ids)
            ]
        )
        if batch.tag_links:
            PersonTag.objects.bulk_create(
                [
                    PersonTag(
                        person_id=people[i].pk,
                        tag_id=code,
                        source=self.tag_source,
                        added_by_id=self.added_by_id,
                    )
                    for i, code in batch.tag_links
                ]
            )


def _with_household_ids(people: list[list[Any]], new_ids: dict[str, int]) -> list[list[Any]]:
    """The people with the 户号 of households this import created replaced by their ids: this
    batch's from `new_ids`, earlier batches' looked up (within the import's transaction)."""
    earlier = {
        p[HOUSEHOLD_SLOT]
        for p in people
        if isinstance(p[HOUSEHOLD_SLOT], str) and p[HOUSEHOLD_SLOT] not in new_ids
    }
    ids = dict(new_ids)
    if earlier:
        ids.update(Household.unscoped.filter(number__in=list(earlier)).values_list("number", "pk"))
    return [
        [*p[:HOUSEHOLD_SLOT], ids[p[HOUSEHOLD_SLOT]], *p[HOUSEHOLD_SLOT + 1 :]]
        if isinstance(p[HOUSEHOLD_SLOT], str)
        else p
        for p in people
    ]
