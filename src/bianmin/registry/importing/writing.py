"""Writing checked batches: COPY on PostgreSQL, bulk_create elsewhere (SQLite).

On PostgreSQL the reading thread turns a batch into COPY text itself (`CopyEncoder`), ids
included, so the writer thread only streams three buffers per batch and hardly needs the
interpreter: the database works while Python checks the next batch. The ids are taken from
the tables' own identity sequences with nextval() — the values PostgreSQL would assign — so
the sequences stay consistent with the rows, and no row has to be read back to learn its id.

A batch that collides with a concurrent registration of the same number or 户号 (the unique
indexes refuse it) fails the job with a message saying to import again: nothing is
half-written in the all-or-nothing mode, and a second run skips whoever is registered by then.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from bianmin.registry.importing import firstload
from bianmin.registry.importing.batch import (
    HOUSEHOLD_FIELDS,
    HOUSEHOLD_SLOT,
    PERSON_FIELDS,
    CheckedBatch,
)
from bianmin.registry.models import Household, Person, PersonTag

_TAG_FIELDS = ("person_id", "tag_id", "source", "added_by_id")
# COPY text format: backslash, tab, newline and carriage return are escaped; NUL cannot be
# stored in PostgreSQL text at all.
_COPY_SPECIAL = re.compile(r"[\\\t\n\r\x00]")
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": ""})


NULL = "\\N"


def _text(value: str) -> str:
    return value.translate(_COPY_ESCAPE)


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
        self._tag_tail = f"\t{_text(tag_source[:100])}\t{added_by}\n"
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
        households = "".join(
            f"{household_ids[number]}\t{number}\t{kind}\t{division}\t{grid or NULL}\t"
            f"{_text(address)}\t{area}\t{created:%Y-%m-%d %H:%M:%S.%f%z}\t"
            f"{updated:%Y-%m-%d %H:%M:%S.%f%z}\n"
            for number, kind, division, grid, address, area, created, updated in (
                batch.new_households
            )
        )
        person_ids = self._ids(self._person_seq, len(batch.people))
        by_hash: dict[str, str] = {}
        lines = []
        stamped, stamp = None, ""
        for pk, p in zip(person_ids, batch.people, strict=True):
            (cipher, id_hash, masked, last4, name, name_initials, sex, birth, ethnicity, phone,
             relationship, registered_address, residence_address, residence_type, life_status,
             status_source, area, created, _updated, grid, household, registered, residence,
             job) = p  # fmt: skip
            if _COPY_SPECIAL.search(name + ethnicity + registered_address + residence_address):
                name, ethnicity = _text(name), _text(ethnicity)
                registered_address = _text(registered_address)
                residence_address = _text(residence_address)
            if household.__class__ is str:
                household = household_ids[household]
            if created is not stamped:  # one timestamp per pass, formatted once
                stamped, stamp = created, f"{created:%Y-%m-%d %H:%M:%S.%f%z}"
            lines.append(
                f"{pk}\t{cipher}\t{id_hash}\t{masked}\t{last4}\t{name}\t{name_initials}\t{sex}\t"
                f"{birth}\t{ethnicity}\t{phone}\t{relationship}\t{registered_address}\t"
                f"{residence_address}\t{residence_type}\t{life_status}\t{status_source}\t{area}\t"
                f"{stamp}\t{stamp}\t{grid or NULL}\t{household or NULL}\t{registered or NULL}\t"
                f"{residence or NULL}\t{job or NULL}\n"
            )
            by_hash[id_hash] = pk
        tail = self._tag_tail
        tags = "".join(f"{by_hash[h]}\t{code}{tail}" for h, code in batch.tag_links)
        batch.payload = (households.encode(), "".join(lines).encode(), tags.encode())
        return household_ids


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
                (Person, ("id", *PERSON_FIELDS), people),
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
            ids = {p.id_hash: p.pk for p in people}
            PersonTag.objects.bulk_create(
                [
                    PersonTag(
                        person_id=ids[id_hash],
                        tag_id=code,
                        source=self.tag_source,
                        added_by_id=self.added_by_id,
                    )
                    for id_hash, code in batch.tag_links
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
