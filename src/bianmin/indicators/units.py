"""Org units for the indicators: divisions and grids by their code prefix.

A division's figures are those of the rows whose area code starts with its prefix (province 2,
city 4, county 6, town 9, village/community 12, grid 14 digits). The API names a unit by its
official code (420102002003, 420100, or a 14-digit grid code); the engine works on prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import prefix_q  # noqa: F401  (re-exported: the engine's prefix filter)

# Prefix lengths from province to grid.
LEVEL_LENGTHS: tuple[int, ...] = (2, 4, 6, 9, 12, 14)
GRID_LENGTH = 14


@dataclass(frozen=True)
class Unit:
    code: str  # official division code or grid code
    prefix: str
    name: str
    level_label: str = ""

    @property
    def length(self) -> int:
        return len(self.prefix)


def child_length(length: int) -> int | None:
    later = [n for n in LEVEL_LENGTHS if n > length]
    return later[0] if later else None


def unit(code: str) -> Unit:
    """The division or grid with this code, or ValidationError(code="unknown_unit")."""
    from bianmin.registry.models import Division, Grid

    text = (code or "").strip()
    if text.isdigit() and len(text) == GRID_LENGTH:
        grid = Grid.unscoped.select_related("community").filter(code=text).first()
        if grid is not None:
            return Unit(grid.code, grid.code, f"{grid.community.name}{grid.name}", str(_("网格")))
    elif text.isdigit():
        div = Division.objects.filter(code=text).first()
        if div is not None:
            return Unit(div.code, div.prefix, div.name, div.kind_label)
    raise ValidationError(
        _("区划或网格“%(code)s”不存在。"), code="unknown_unit", params={"code": code}
    )


def children(parent: Unit) -> list[Unit]:
    """The units directly under `parent`: divisions, or a community's grids."""
    from bianmin.registry.models import Division, Grid

    if parent.length == GRID_LENGTH:
        return []
    if parent.length == 12:
        return [
            Unit(g.code, g.code, g.name, str(_("网格")))
            for g in Grid.unscoped.filter(community_id=parent.code).order_by("code")
        ]
    return [
        Unit(d.code, d.prefix, d.name, d.kind_label)
        for d in Division.objects.filter(parent_id=parent.code).order_by("code")
    ]


def subtree(root: Unit) -> list[Unit]:
    """`root` and every division and grid under it (for a whole-city report)."""
    from bianmin.registry.models import Division, Grid

    units = [root]
    for d in Division.objects.filter(prefix__startswith=root.prefix).order_by("code"):
        if d.prefix != root.prefix:
            units.append(Unit(d.code, d.prefix, d.name, d.kind_label))
    if root.length < GRID_LENGTH:
        for g in Grid.unscoped.filter(code__startswith=root.prefix).order_by("code"):
            units.append(Unit(g.code, g.code, g.name, str(_("网格"))))
    return units
