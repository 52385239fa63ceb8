"""What the database already knows, asked once per batch rather than once per row.

Divisions and grids are resolved with `resolve_division` / `resolve_grid` semantics: codes the
batch needs are fetched together (same normalisation, `official_code(prefix_of(code))`), and
only a code that is not found goes through the service function itself — so its error is
the service's own message — and every answer is cached for the rest of the file.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef

from bianmin.registry.divisions_data import official_code, prefix_of
from bianmin.registry.models import Division, Grid, Household, Person, Relationship
from bianmin.registry.services.people import resolve_division, resolve_grid

_HEAD = Relationship.HEAD.value


def _chunks(values: list, size: int = 0) -> Iterable[list]:
    # SQLite builds before 3.32 allow 999 variables per statement.
    size = size or (900 if connection.vendor == "sqlite" else 100_000)
    for i in range(0, len(values), size):
        yield values[i : i + size]


class Places:
    """Division and grid codes → objects, or the message saying why the code is wrong."""

    def __init__(self) -> None:
        self.divisions: dict[str, Division | str] = {}
        self.grids: dict[str, Grid | str] = {}

    def preload(self, division_codes: set[str], grid_codes: set[str]) -> None:
        wanted: dict[str, list[str]] = {}
        for code in division_codes - self.divisions.keys():
            try:
                wanted.setdefault(official_code(prefix_of(code)), []).append(code)
            except ValueError:
                self._division_error(code)
        for chunk in _chunks(list(wanted)):
            for division in Division.objects.filter(code__in=chunk):
                for code in wanted.pop(division.code):
                    self.divisions[code] = division
        for codes in wanted.values():
            for code in codes:
                self._division_error(code)
        missing = list(grid_codes - self.grids.keys())
        for chunk in _chunks(missing):
            for grid in Grid.unscoped.select_related("community").filter(code__in=chunk):
                self.grids[grid.code] = grid
        for code in missing:
            if code not in self.grids:
                try:
                    self.grids[code] = resolve_grid(code)
                except ValidationError as e:
                    self.grids[code] = e.messages[0]

    def _division_error(self, code: str) -> None:
        try:
            self.divisions[code] = resolve_division(code)
        except ValidationError as e:
            self.divisions[code] = e.messages[0]

    def division(self, code: str, problems: list[str]) -> Division | None:
        if not code:
            return None
        hit = self.divisions.get(code)
        if hit is None:
            self.preload({code}, set())
            hit = self.divisions[code]
        if isinstance(hit, str):
            problems.append(hit)
            return None
        return hit

    def grid(self, code: str, problems: list[str]) -> Grid | None:
        if not code:
            return None
        hit = self.grids.get(code)
        if hit is None:
            self.preload(set(), {code})
            hit = self.grids[code]
        if isinstance(hit, str):
            problems.append(hit)
            return None
        return hit


def existing_people(hashes: list[str]) -> set[str]:
    """Which of these ID hashes are registered already (anywhere: a duplicate check)."""
    found: set[str] = set()
    if connection.vendor == "postgresql":
        # The hashes as one comma-joined string (they are hex) instead of 2,000 bound
        # literals: the same query, far cheaper to build, send and parse.
        table = connection.ops.quote_name(Person._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id_hash FROM {table} "  # noqa: S608
                "WHERE id_hash = ANY(string_to_array(%s, ','))",
                [",".join(hashes)],
            )
            found.update(h for (h,) in cursor.fetchall())
        return found
    for chunk in _chunks(hashes):
        found.update(Person.unscoped.filter(id_hash__in=chunk).values_list("id_hash", flat=True))
    return found


class HouseholdState:
    """A 户 as the import sees it: existing (id) or created by this import (id None)."""

    __slots__ = ("area", "division", "has_head", "id", "in_scope")

    def __init__(
        self, id: int | None, division: str, area: str, has_head: bool, in_scope: bool | None = None
    ):
        self.id, self.division, self.area, self.has_head = id, division, area, has_head
        self.in_scope = in_scope  # None: not checked yet against the importer's area


def load_households(numbers: list[str], into: dict[str, HouseholdState]) -> None:
    """Add the registered households among `numbers` (and whether they have a head)."""
    if not numbers:
        return
    if connection.vendor == "postgresql":
        household = connection.ops.quote_name(Household._meta.db_table)
        person = connection.ops.quote_name(Person._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT h.id, h.number, h.division_id, h.area_code, EXISTS (SELECT 1 FROM "  # noqa: S608
                f"{person} p WHERE p.household_id = h.id AND p.relationship = %s) "
                f"FROM {household} h WHERE h.number = ANY(%s)",
                [_HEAD, numbers],
            )
            rows = cursor.fetchall()
    else:
        head = Person.unscoped.filter(household_id=OuterRef("pk"), relationship=_HEAD)
        rows = [
            row
            for chunk in _chunks(numbers)
            for row in Household.unscoped.filter(number__in=chunk)
            .annotate(has_head=Exists(head))
            .values_list("pk", "number", "division_id", "area_code", "has_head")
        ]
    for pk, number, division, area, has_head in rows:
        into[number] = HouseholdState(pk, division, area, has_head)
