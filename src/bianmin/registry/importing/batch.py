"""A checked batch: what the row checks hand to the writers, and its column orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bianmin.registry.models import Division, Grid

# Column order of a checked person: the stored form, ready for COPY or bulk_create. The
# household slot holds an existing household's id, or the 户号 of one this import creates.
PERSON_FIELDS = (
    "id_cipher",
    "id_hash",
    "id_masked",
    "id_last4",
    "name",
    "name_initials",
    "sex",
    "birth_date",
    "ethnicity",
    "phone",
    "relationship",
    "registered_address",
    "residence_address",
    "residence_type",
    "life_status",
    "status_source",
    "area_code",
    "created_at",
    "updated_at",
    "grid_id",
    "household_id",
    "registered_division_id",
    "residence_division_id",
    "source_import_id",
)
HOUSEHOLD_SLOT = PERSON_FIELDS.index("household_id")
REGISTERED_ADDRESS = PERSON_FIELDS.index("registered_address")
RESIDENCE_ADDRESS = PERSON_FIELDS.index("residence_address")
AREA = PERSON_FIELDS.index("area_code")
REGISTERED = PERSON_FIELDS.index("registered_division_id")
HOUSEHOLD_FIELDS = (
    "number",
    "household_type",
    "division_id",
    "grid_id",
    "address",
    "area_code",
    "created_at",
    "updated_at",
)


@dataclass(slots=True)
class CheckedBatch:
    people: list[list[Any]] = field(default_factory=list)  # PERSON_FIELDS
    new_households: list[tuple] = field(default_factory=list)  # HOUSEHOLD_FIELDS
    tag_links: list[tuple[str, str]] = field(default_factory=list)  # (id_hash, tag code)
    errors: list[tuple[int, Sequence[Any], str]] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0
    payload: tuple[bytes, bytes, bytes] | None = None  # COPY text, see writing.CopyEncoder


@dataclass(slots=True)
class Row:
    """One row under check: its problems, or the person it becomes (and what joins it to a
    household)."""

    number: int
    values: Sequence[Any]
    problems: list[str]
    id_hash: str = ""
    person: list[Any] | None = None  # PERSON_FIELDS, filled when the row's own fields pass
    household: str = ""
    relationship: str = ""
    registered: Division | None = None
    residence: Division | None = None
    grid: Grid | None = None
    tags: tuple[str, ...] = ()
