"""Writing checked batches: COPY on PostgreSQL, bulk_create elsewhere (SQLite).

Both run each batch inside `transaction.atomic()` — a transaction of its own, or a savepoint
when the caller holds one transaction for the whole file — so a batch that collides with a
concurrent registration of the same number or 户号 is retried once without the rows that
now exist (they count as unchanged), instead of failing the import.

COPY leaves `id` to the database's identity sequence, so ids are read back (one query per
batch, by 户号 or id_hash) where households and tags need them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from bianmin.registry.importing.rows import (
    HOUSEHOLD_FIELDS,
    HOUSEHOLD_SLOT,
    PERSON_FIELDS,
    CheckedBatch,
)
from bianmin.registry.models import Household, Person, PersonTag

_TAG_FIELDS = ("person_id", "tag_id", "source", "added_by_id")


@dataclass(slots=True)
class WriteTotals:
    created: int = 0
    households_created: int = 0
    unchanged: int = 0  # rows found registered only at write time (a concurrent registration)


def _columns(model, attnames: tuple[str, ...]) -> str:
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    return ", ".join(connection.ops.quote_name(by_attname[a]) for a in attnames)


class BatchWriter:
    """Writes batches through the calling thread's database connection."""

    def __init__(self, *, tag_source: str, added_by_id: int | None):
        self.tag_source = tag_source[:100]
        self.added_by_id = added_by_id
        self.totals = WriteTotals()
        self._copy = connection.vendor == "postgresql"
        self._whole_file = False

    def begin(self) -> None:
        """Called first inside a transaction that will hold the whole file."""
        # No savepoint per batch then: each batch would run as a subtransaction, and every
        # row a batch references (a community, a grid, the job) would get a new MultiXact of
        # all earlier batches' key-share locks on it — quadratic in the number of batches.
        # A collision with a concurrent registration fails the whole import instead (it is
        # all-or-nothing anyway); running it again skips whoever is registered by then.
        self._whole_file = True
        if self._copy:
            # Check foreign keys as each COPY ends rather than all at COMMIT (Django declares
            # them DEFERRABLE INITIALLY DEFERRED): the checks then overlap with reading the
            # next batch instead of running alone at the end, and the server keeps no queue
            # of a million pending trigger events.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def write(self, batch: CheckedBatch) -> None:
        if self._whole_file:
            self.totals.created += self._write(batch, {})
            self.totals.households_created += len(batch.new_households)
            return
        for attempt in range(2):
            try:
                new_ids: dict[str, int] = {}
                with transaction.atomic():
                    created = self._write(batch, new_ids)
            except IntegrityError:
                if attempt:
                    raise
                batch = self._without_existing(batch)
            else:
                self.totals.created += created
                self.totals.households_created += len(batch.new_households)
                return

    def _write(self, batch: CheckedBatch, new_ids: dict[str, int]) -> int:
        return (self._write_copy if self._copy else self._write_orm)(batch, new_ids)

    # --- PostgreSQL ---------------------------------------------------------------------------

    def _write_copy(self, batch: CheckedBatch, new_ids: dict[str, int]) -> int:
        person_table = connection.ops.quote_name(Person._meta.db_table)
        household_table = connection.ops.quote_name(Household._meta.db_table)
        with connection.cursor() as cursor:
            if batch.new_households:
                with cursor.copy(
                    f"COPY {household_table} ({_columns(Household, HOUSEHOLD_FIELDS)}) FROM STDIN"
                ) as copy:
                    for household in batch.new_households:
                        copy.write_row(household)
                # Table names come from model metadata, values are parameters.
                cursor.execute(
                    f"SELECT number, id FROM {household_table} "  # noqa: S608
                    "WHERE number = ANY(%s)",
                    [[h[0] for h in batch.new_households]],
                )
                new_ids.update(cursor.fetchall())
            people = self._with_household_ids(batch.people, new_ids)
            with cursor.copy(
                f"COPY {person_table} ({_columns(Person, PERSON_FIELDS)}) FROM STDIN"
            ) as copy:
                for person in people:
                    copy.write_row(person)
            if batch.tag_links:
                cursor.execute(
                    f"SELECT id_hash, id FROM {person_table} "  # noqa: S608
                    "WHERE id_hash = ANY(%s)",
                    [list({h for h, _c in batch.tag_links})],
                )
                ids = dict(cursor.fetchall())
                table = connection.ops.quote_name(PersonTag._meta.db_table)
                with cursor.copy(
                    f"COPY {table} ({_columns(PersonTag, _TAG_FIELDS)}) FROM STDIN"
                ) as copy:
                    for id_hash, code in batch.tag_links:
                        copy.write_row((ids[id_hash], code, self.tag_source, self.added_by_id))
        return len(people)

    # --- SQLite (and any backend without COPY) ----------------------------------------------

    def _write_orm(self, batch: CheckedBatch, new_ids: dict[str, int]) -> int:
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
                for p in self._with_household_ids(batch.people, new_ids)
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
        return len(people)

    # --- shared -----------------------------------------------------------------------------

    def _with_household_ids(self, people: list[tuple], new_ids: dict[str, int]) -> list[tuple]:
        """Replace the 户号 of households this import created by their ids: those of this
        batch are in `new_ids`, earlier ones (a 户 split across batches) are looked up —
        within this import's transaction, so they are visible — rather than kept in memory."""
        earlier = {
            p[HOUSEHOLD_SLOT]
            for p in people
            if isinstance(p[HOUSEHOLD_SLOT], str) and p[HOUSEHOLD_SLOT] not in new_ids
        }
        ids = dict(new_ids)
        if earlier:
            ids.update(
                Household.unscoped.filter(number__in=list(earlier)).values_list("number", "pk")
            )
        out = []
        for p in people:
            number = p[HOUSEHOLD_SLOT]
            if isinstance(number, str):
                p = (*p[:HOUSEHOLD_SLOT], ids[number], *p[HOUSEHOLD_SLOT + 1 :])
            out.append(p)
        return out

    def _without_existing(self, batch: CheckedBatch) -> CheckedBatch:
        """The batch minus people and 户 registered meanwhile by someone else."""
        hashes = [p[1] for p in batch.people]
        taken = set(Person.unscoped.filter(id_hash__in=hashes).values_list("id_hash", flat=True))
        numbers = [h[0] for h in batch.new_households]
        registered = set(
            Household.unscoped.filter(number__in=numbers).values_list("number", flat=True)
        )
        self.totals.unchanged += len(taken)
        return CheckedBatch(
            people=[p for p in batch.people if p[1] not in taken],
            new_households=[h for h in batch.new_households if h[0] not in registered],
            tag_links=[t for t in batch.tag_links if t[0] not in taken],
            errors=batch.errors,
            unchanged=batch.unchanged,
            rows=batch.rows,
        )
