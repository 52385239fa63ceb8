"""A checked batch: what the row checks hand to the writers, and its column orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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
# On PostgreSQL a person travels as COPY text of every column but those the main process
# decides in file order (`rows.RowChecker`): COPY then names them first, in this order.
PERSON_DECIDED_FIELDS = ("household_id", "registered_division_id", "area_code")
PERSON_TEXT_FIELDS = tuple(f for f in PERSON_FIELDS if f not in PERSON_DECIDED_FIELDS)
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
    # PERSON_FIELDS lists; on PostgreSQL (text, household, registered division, area) with the
    # text in PERSON_TEXT_FIELDS order. The household is an existing household's id, or the
    # 户号 of one this import creates.
    people: list[Any] = field(default_factory=list)
    new_households: list[tuple] = field(default_factory=list)  # HOUSEHOLD_FIELDS
    tag_links: list[tuple[int, str]] = field(default_factory=list)  # (index in people, tag)
    errors: list[tuple[int, Sequence[Any], str]] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0
    payload: tuple[bytes, bytes, bytes] | None = None  # COPY text, see writing.CopyEncoder
