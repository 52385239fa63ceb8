"""The 户 of an import: found by 户号 or created from the first row that names one.

The rules are create_household's and add_member's, with their messages: a new 户 needs a
village-level place, lies in the importer's area (both judged with the row's own fields, see
`fields.FieldChecker._new_household`), and has one head. What is kept across batches, per
户号: its id (None until the writer has one), division, area, and whether it has a head
(~150 bytes a household).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _g

from bianmin.registry.importing.batch import CheckedBatch
from bianmin.registry.importing.lookups import HouseholdState, load_households
from bianmin.registry.services.people import ensure_in_scope


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

    def place(
        self, number: str, head: bool, new: tuple | str | None, batch: CheckedBatch
    ) -> HouseholdState | str:
        """The 户 the row's person joins (found, or created from this first row of it), or
        why it cannot. `new` is what the row would create: (division, grid, address, area),
        or the message saying why it cannot create one."""
        state = self._known.get(number)
        created = None
        if state is None:
            if new.__class__ is str:
                return new
            division, grid, address, area = new
            state = HouseholdState(None, division, area, False, in_scope=True)
            created = (number, "family", division, grid, address, area, self.now, self.now)
        elif not self._in_scope(state):
            return _g("户号“%(number)s”所在的户不在您的管辖范围内。") % {"number": number}
        if head and state.has_head:
            return _g("该户已有户主。")
        if created is not None:
            self._known[number] = state
            batch.new_households.append(created)
        if head:
            state.has_head = True
        return state

    def _in_scope(self, state: HouseholdState) -> bool:
        # A 户 this import created was checked when it was; a registered one once, here.
        if state.in_scope is None:
            try:
                ensure_in_scope(state.area)
                state.in_scope = True
            except PermissionDenied:
                state.in_scope = False
        return state.in_scope
