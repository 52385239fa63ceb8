"""The 户 of an import: found by 户号 or created from the first row that names one.

The rules are create_household's and add_member's, with their messages: a new 户 needs a
village-level place, lies in the importer's area (both judged with the row's own fields, see
`fields.FieldChecker._new_household`), and has one head. What is kept across batches, per
户号: its id (None until the writer has one), division, area, and whether it has a head
(~150 bytes a household).

At most `cap` of them (plus one batch's) stay in memory, the most recently named ones: the
members of a 户 are usually near each other in a file. When a batch starts (`load`), the
least recently named beyond the cap move to the pass's spill database (`spill`), and the
batch's 户号 not in memory are looked up there before the register: a 户 met a million rows
earlier comes back with its id, head and scope as they were, so the rules hold across the
whole file. Nothing moves during a batch, so `place` and `remember_ids` find in memory every
户 the batch names.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _g

from bianmin.registry.importing.batch import CheckedBatch
from bianmin.registry.importing.lookups import HouseholdState, load_households
from bianmin.registry.importing.spill import Spill
from bianmin.registry.services.people import ensure_in_scope


class Households:
    def __init__(self, *, now: dt.datetime, cap: int | None = None, spill: Spill | None = None):
        self.now = now
        # In the order last named by a batch (dicts keep insertion order): oldest first.
        self._known: dict[str, HouseholdState] = {}
        self._cap = cap if spill is not None else None
        self._spill = spill
        self._spilled = False

    def load(self, numbers: set[str], *, registered: bool = True) -> None:
        """Before a batch's `place`s: bring the 户号 it names into memory — met before (in
        memory or spilled), or looked up in the register once (unless `registered` is False:
        a first load, the register is empty) — and spill the least recently named beyond the
        cap."""
        known = self._known
        if self._cap is None:
            if registered:
                load_households([n for n in numbers if n not in known], known)
            return
        missing = []
        for number in numbers:  # the batch's 户 become the most recent
            state = known.pop(number, None)
            if state is None:
                missing.append(number)
            else:
                known[number] = state
        if missing and self._spilled:
            found = {}
            for number, pk, division, area, has_head, in_scope in self._spill.households_among(
                missing
            ):
                state = HouseholdState(pk, division, area, bool(has_head))
                state.in_scope = None if in_scope is None else bool(in_scope)
                found[number] = state
            known.update(found)
            missing = [n for n in missing if n not in found]
        if missing and registered:
            load_households(missing, known)
        self._evict(len(known) - max(self._cap, len(numbers)))

    def _evict(self, count: int) -> None:
        """Move the `count` least recently named 户 to the spill database (never this batch's:
        they were moved to the end)."""
        if count <= 0:
            return
        known = self._known
        victims = [(n, known[n]) for n in itertools.islice(known, count)]
        self._spill.put_households(
            (n, s.id, s.division, s.area, s.has_head, s.in_scope) for n, s in victims
        )
        for number, _state in victims:
            del known[number]
        self._spilled = True

    def remember_ids(self, ids: dict[str, int]) -> None:
        """Ids given to households this import creates, for their members in later batches."""
        for number, pk in ids.items():
            state = self._known.get(number)
            if state is not None:
                state.id = pk
            else:  # not expected (nothing moves between a batch's check and its ids), but safe
                self._spill.set_household_id(number, pk)

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
