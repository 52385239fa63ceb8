"""Loading the division tree from the data package into the database."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from bianmin.registry.divisions_data import SHIPPED_DIR, read_rows
from bianmin.registry.models import Division


@transaction.atomic
def load_divisions(*, directory: Path = SHIPPED_DIR, city_prefix: str = "") -> dict[str, int]:
    """Insert divisions not yet present and rename changed ones; never deletes (people and
    history point at old codes). Returns counts by outcome."""
    existing = dict(Division.objects.values_list("code", "name"))
    new, renamed = [], []
    names: dict[str, str] = {}
    for row in read_rows(directory, only_prefix=city_prefix):
        parent_full = names.get(row.parent_code or "", "")
        # Municipalities' level-2 rows are called "市辖区"; leave them out of full names.
        full = parent_full + ("" if row.name == "市辖区" else row.name)
        names[row.code] = full
        if row.code not in existing:
            new.append(
                Division(
                    code=row.code,
                    prefix=row.prefix,
                    name=row.name,
                    level=row.level,
                    parent_id=row.parent_code,
                    full_name=full,
                )
            )
        elif existing[row.code] != row.name:
            renamed.append(Division(code=row.code, name=row.name, full_name=full))
    Division.objects.bulk_create(new, batch_size=2000)
    Division.objects.bulk_update(renamed, ["name", "full_name"], batch_size=2000)
    return {"created": len(new), "renamed": len(renamed), "total": len(names)}
