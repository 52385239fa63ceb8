"""The compact table of ID-number keys met in a file (the duplicate check's memory)."""

from __future__ import annotations

import random

from bianmin.registry.importing.seen import SeenKeys


def test_it_answers_like_a_set_through_its_growth():
    rng = random.Random(11643)
    keys = [rng.getrandbits(60) for _ in range(20_000)]
    keys += rng.sample(keys, 3_000)
    rng.shuffle(keys)
    seen, reference = SeenKeys(capacity=8), set()
    for key in keys:
        assert seen.add(key) == (key not in reference)
        reference.add(key)
    assert len(seen) == len(reference)


def test_zero_is_a_key_like_any_other():
    seen = SeenKeys(capacity=8)
    assert seen.add(0) and not seen.add(0)
