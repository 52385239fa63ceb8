"""Checking register rows, a batch at a time: each row's own fields (`fields`, in this process
or in worker processes), then what needs the whole file or the database, here, in file order.

Per row this costs ~25 µs of Python, most of it the ID check and its encryption (the row is
turned into its stored form once, in `fields`). State kept here across batches: the numbers
seen so far (60-bit keys, 8–16 bytes a row, see `seen`) to refuse duplicates within the
file, and the 户号 met so far (see `households`). Both keep a bounded part in memory
(`IMPORT_SEEN_KEYS_IN_MEMORY`, `IMPORT_HOUSEHOLDS_IN_MEMORY`) and the rest in a temporary
database (`spill`), deleted by `close()`. Each batch asks the database once which of its
numbers and 户号 already exist (not on a first load).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _g

from bianmin.registry.importing.batch import AREA, HOUSEHOLD_SLOT, REGISTERED, CheckedBatch
from bianmin.registry.importing.columns import ColumnMap
from bianmin.registry.importing.fields import PLACE_FIELDS, FieldChecker, Fields, place_code
from bianmin.registry.importing.households import Households
from bianmin.registry.importing.lookups import existing_people
from bianmin.registry.importing.seen import SeenKeys
from bianmin.registry.importing.spill import Spill, caps

Raw = Sequence[tuple[int, Sequence[Any]]]


class RowChecker:
    """Checks batches of rows for one import. Keep one per pass over a file, and `close()` it
    (or use it as a context manager): that deletes its temporary files."""

    def __init__(
        self,
        *,
        columns: ColumnMap,
        job_id: Any,
        now: dt.datetime | None = None,
        copy_text: bool = False,
    ):
        self.columns = columns
        self.now = now or timezone.now()
        self.fields = FieldChecker(
            columns=columns, job_id=job_id, now=self.now, copy_text=copy_text
        )
        self._place_columns = [
            (columns.index[key], key == "grid") for key in PLACE_FIELDS if key in columns.index
        ]
        self._met: tuple[set[str], set[str]] = (set(), set())  # place cells looked up
        seen_cap, households_cap = caps()
        self._spill = Spill()
        self._seen = SeenKeys(cap=seen_cap, spill=self._spill)
        self._households = Households(now=self.now, cap=households_cap, spill=self._spill)
        # A first load (see firstload): the register is empty and locked by the import, so
        # nobody is registered already and no 户 exists.
        self.assume_empty = False

    def __enter__(self) -> RowChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._spill.close()

    def check_batch(self, raw: Raw) -> CheckedBatch:
        """Both halves in this process."""
        self.preload_places(raw)
        return self.settle(raw, self.fields.check(raw))

    def preload_places(self, raw: Raw) -> tuple[set[str], set[str]]:
        """Look up (once per file) the division and grid codes the batch names; return the
        batch's cells naming divisions and grids, as written."""
        divisions: set[str] = set()
        grids: set[str] = set()
        rows = [v for _n, v in raw]
        for i, is_grid in self._place_columns:
            try:
                cells = set(map(itemgetter(i), rows))
            except IndexError:  # a row shorter than the header
                cells = {v[i] for v in rows if len(v) > i}
            (grids if is_grid else divisions).update(cells)
        new_divisions, new_grids = divisions - self._met[0], grids - self._met[1]
        if new_divisions or new_grids:
            codes = {place_code(c) for c in new_divisions}, {place_code(c) for c in new_grids}
            codes[0].discard("")
            codes[1].discard("")
            self.fields.places.preload(*codes)
            self._met[0].update(new_divisions)
            self._met[1].update(new_grids)
        return divisions, grids

    def settle(self, raw: Raw, fields: Fields) -> CheckedBatch:
        """Duplicates within the file, people and 户 already registered, the 户 rules; in
        file order, so the first occurrence of a number is the one kept."""
        batch = CheckedBatch(rows=len(raw))
        problems_of, hashes = fields.problems, fields.id_hashes
        if self.assume_empty:
            existing: set[str] = set()
        else:
            existing = existing_people(
                [h for h, p in zip(hashes, problems_of, strict=True) if h and p is None]
            )
        self._households.load(
            {n for n, p in zip(fields.households, problems_of, strict=True) if n and p is None},
            registered=not self.assume_empty,
        )
        keys = [int(h[:15], 16) if h else 0 for h in hashes]
        seen = self._seen
        seen.prepare(keys)
        duplicate = ""
        households = self._households
        errors, people, tag_links = batch.errors, batch.people, batch.tag_links
        for i, (number, values) in enumerate(raw):
            problems = problems_of[i]
            id_hash = hashes[i]
            if id_hash and not seen.add(keys[i]):
                duplicate = duplicate or _g(
                    "身份证号码在本文件中重复出现（以第一次出现的行为准）。"
                )
                problems = [*(problems or ()), duplicate]
            if problems:
                errors.append((number, values, "；".join(problems)))
                continue
            if id_hash in existing:
                # Keyed by the ID number: already registered means skipped, never overwritten —
                # corrections go through update_person, which audits each change.
                batch.unchanged += 1
                continue
            registered, area, reference = fields.registered[i], fields.areas[i], None
            household = fields.households[i]
            if household:
                state = households.place(
                    household, fields.heads[i], fields.new_households[i], batch
                )
                if state.__class__ is str:
                    errors.append((number, values, state))
                    continue
                reference = state.id if state.id is not None else household
                registered = registered or state.division
                area = area or state.area
            person = fields.people[i]
            for code in fields.tags[i]:
                tag_links.append((len(people), code))
            if person.__class__ is list:
                person[HOUSEHOLD_SLOT], person[REGISTERED], person[AREA] = (
                    reference,
                    registered,
                    area,
                )
                people.append(person)
            else:
                people.append((person, reference, registered, area))
        return batch

    def remember_household_ids(self, ids: dict[str, int]) -> None:
        self._households.remember_ids(ids)
