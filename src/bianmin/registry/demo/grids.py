"""网格: 3–8 per community in the districts that get people, named 第一网格, 第二网格 …"""

from __future__ import annotations

import random

from bianmin.registry.models import Division, Grid

_NUMERALS = "一二三四五六七八九十"


def grid_name(seq: int) -> str:
    if seq <= 10:
        return f"第{_NUMERALS[seq - 1]}网格"
    tens, ones = divmod(seq, 10)
    return (
        f"第{'' if tens == 1 else _NUMERALS[tens - 1]}十{_NUMERALS[ones - 1] if ones else ''}网格"
    )


def build_grids(*, rng: random.Random, communities: list[Division]) -> list[Grid]:
    grids = []
    for community in communities:
        for seq in range(1, rng.randint(3, 8) + 1):
            grids.append(
                Grid(
                    code=f"{community.code}{seq:02d}",
                    name=grid_name(seq),
                    community=community,
                    # A grid in a Wuhan community serves roughly 300-500 households.
                    households_served=rng.randint(28, 52) * 10,
                )
            )
    return grids
