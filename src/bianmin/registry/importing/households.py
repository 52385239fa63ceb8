"""The 户 of an import: found by 户号 or created from the first row that names one.

The rules are create_household's and add_member's, with their messages: a new 户 needs a
village-level place, lies in the importer's area, and has one head. What is kept across
batches, per 户号: its id (None until the writer has one), division, area, and whether it
has a head (~150 bytes a household).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _g

from bianmin.registry.importing.batch import (
    AREA,
    HOUSEHOLD_SLOT,
    REGISTERED,
    REGISTERED_ADDRESS,
    RESIDENCE_ADDRESS,
    CheckedBatch,
    Row,
)
from bianmin.registry.importing.lookups import HouseholdState, load_households
from bianmin.registry.models import DivisionLevel, Relationship
from bianmin.registry.services.people import ensure_in_scope

_HEAD = Relationship.HEAD.value
_VILLAGE = DivisionLevel.VILLAGE


class Households:
    def __init__(self, *, now: dt.datetime):
        self.now = now
        self._known: dict[str, HouseholdState] = {}

    def load(self, numbers: set[str]) -> None:
        """Look up, once, the 户号 of a batch not met before."""
        load_households([n for n in numbers if n not in self._known], self._known)

    def remember_ids(self, ids: dict[str, int]) -> None:
        """Ids given to households this import creates, for their members in later batches."""
        for number, pk in ids.items():
            self._known[number].id = pk

    def place(self, row: Row, batch: CheckedBatch) -> bool:
        """Join the row's person to its 户 (found, or created from this first row of it)."""
        state = self._known.get(row.household)
        person = row.person
        new = None
        if state is None:
            division = (
                row.registered
                if (row.registered is not None and row.registered.level == _VILLAGE)
                else row.residence
            )
            if division is None:
                row.problems.append(
                    _g("新建户“%(number)s”需要填写村（社区）一级的户籍地或现居住地。")
                    % {"number": row.household}
                )
                return False
            grid = (
                row.grid
                if row.grid is not None and row.grid.community_id == division.code
                else None
            )
            area = grid.code if grid is not None else division.prefix
            try:
                ensure_in_scope(area)
            except PermissionDenied as e:
                row.problems.append(str(e))
                return False
            state = HouseholdState(None, division.code, area, False)
            address = person[REGISTERED_ADDRESS] or person[RESIDENCE_ADDRESS]
            new = (
                row.household,
                "family",
                division.code,
                grid.code if grid else None,
                address,
                area,
                self.now,
                self.now,
            )
        else:
            try:
                ensure_in_scope(state.area)
            except PermissionDenied:
                row.problems.append(
                    _g("户号“%(number)s”所在的户不在您的管辖范围内。") % {"number": row.household}
                )
                return False
        if row.relationship == _HEAD and state.has_head:
            row.problems.append(_g("该户已有户主。"))
            return False
        if new is not None:
            self._known[row.household] = state
            batch.new_households.append(new)
        if row.relationship == _HEAD:
            state.has_head = True
        person[HOUSEHOLD_SLOT] = state.id if state.id is not None else row.household
        if person[REGISTERED] is None:  # the household's, as create_person does
            person[REGISTERED] = state.division
        if not person[AREA]:
            person[AREA] = state.area
        return True
