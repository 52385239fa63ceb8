"""The ID numbers met so far in a file, to refuse a number's second row: 60-bit keys of their
hashes in an open-addressing table of 8-byte slots.

A Python set of ints costs ~70 bytes a number (a 32-byte int object, plus the set's
16-byte slots at most 60% full); this costs 8–16 bytes, so a million-row file keeps
~16 MB instead of ~70 MB — the largest thing an import holds that grows with the file.
Adding a key is ~0.5 µs of Python instead of ~0.1 µs; it runs in the main process, which
has time to spare beside the worker processes.
"""

from __future__ import annotations

from array import array

from bianmin.registry.importing.spill import Spill


class SeenKeys:
    """Non-zero 60-bit keys; the hashes they come from are uniform, so the low bits spread
    them (linear probing, at most half full)."""

    def __init__(
        self, capacity: int = 1 << 16, *, cap: int | None = None, spill: Spill | None = None
    ) -> None:
        self._slots = array("Q", bytes(8 * capacity))
        self._mask = capacity - 1
        self._count = 0
        self._cap = cap if spill is not None else None
        self._spill = spill
        self._spilled = 0
        self._elsewhere: set[int] = set()  # this batch's keys found in the spill database

    def __len__(self) -> int:
        return self._count + self._spilled

    def prepare(self, keys: list[int]) -> None:
        """Before a batch's `add`s: spill the table if it passed its cap, and look the batch's
        keys up among those spilled."""
        if self._cap is not None and self._count > self._cap:
            self._spill.add_keys(k for k in self._slots if k)
            self._spilled += self._count
            self._slots = array("Q", bytes(8 * len(self._slots)))  # same size: it fills again
            self._count = 0
        if self._spilled:
            self._elsewhere = self._spill.keys_among([k or 1 for k in keys])

    def add(self, key: int) -> bool:
        """Add the key; False when it was there already."""
        key = key or 1  # 0 marks an empty slot
        slots, mask = self._slots, self._mask
        i = key & mask
        while True:
            found = slots[i]
            if found == key:
                return False
            if not found:
                if self._spilled and key in self._elsewhere:
                    return False
                slots[i] = key
                self._count += 1
                if self._count * 2 > mask:
                    self._grow()
                return True
            i = (i + 1) & mask

    def _grow(self) -> None:
        old = self._slots
        capacity = len(old) * 2
        self._slots = slots = array("Q", bytes(8 * capacity))
        self._mask = mask = capacity - 1
        for key in old:
            if key:
                i = key & mask
                while slots[i]:
                    i = (i + 1) & mask
                slots[i] = key
