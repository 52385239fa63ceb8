"""Where the demo city's people live: which districts and streets, and readable place names.

The division table carries the statistical names (万年社区居委会, 五里村委会); service centres and
addresses use the names people say (万年社区, 五里村).
"""

from __future__ import annotations

from dataclasses import dataclass

from bianmin.registry.models import Division, DivisionLevel

CITY_CODE = "420100"
CITY_PREFIX = "4201"
# The districts that get people unless --districts says otherwise: 江岸区 and 江汉区.
DEFAULT_DISTRICTS = ("420102", "420103")
# Streets whose communities the named demo accounts work in (tests/conftest.py uses the same
# codes); they are chosen first so those accounts always have residents to look after.
PREFERRED_STREETS = ("420102002000", "420103001000")  # 大智街道, 民族街街道
# One street per district per this many people, so a bigger demo spreads over more streets.
PEOPLE_PER_STREET = 750

_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
)


def words(text: str) -> tuple[str, ...]:
    """Word lists are easier to read and edit as one line of text."""
    return tuple(text.split())


def short_name(name: str) -> str:
    """万年社区居委会 → 万年社区, 五里村委会 → 五里村."""
    for suffix, replacement in _SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem if stem.endswith(replacement) else stem + replacement
    return name


def is_village(division: Division) -> bool:
    return division.level == DivisionLevel.VILLAGE and short_name(division.name).endswith("村")


def is_township(division: Division) -> bool:
    """A 乡/镇 (rural) rather than a 街道: it gets a 卫生院, not a 社区卫生服务中心."""
    return division.name.endswith(("镇", "乡"))


def road(division: Division) -> str:
    """A road named after the place, as Hankou's are (大智路, 保成路, 民族街)."""
    stem = short_name(division.name)
    for suffix in ("街道", "社区", "村", "花园"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem if stem.endswith(("路", "街", "巷", "道")) else stem + "路"


class UnknownDistrict(ValueError):
    """A --districts code that is not a district (区、县) of the loaded tree."""


@dataclass(frozen=True)
class PeoplePlaces:
    """The districts that get grids and the communities that get people."""

    districts: list[Division]
    streets: list[Division]
    communities: list[Division]


def people_places(district_codes: list[str] | None, people: int) -> PeoplePlaces:
    codes = list(district_codes or DEFAULT_DISTRICTS)
    districts = list(
        Division.objects.filter(code__in=codes, level=DivisionLevel.COUNTY).order_by("code")
    )
    missing = set(codes) - {d.code for d in districts}
    if missing:
        raise UnknownDistrict(", ".join(sorted(missing)))
    per_district = max(1, -(-people // (PEOPLE_PER_STREET * len(districts))))
    streets: list[Division] = []
    for district in districts:
        children = list(district.children.filter(level=DivisionLevel.TOWN).order_by("code"))
        children.sort(key=lambda s: s.code not in PREFERRED_STREETS)
        streets.extend(children[:per_district])
    communities = list(
        Division.objects.filter(parent__in=streets, level=DivisionLevel.VILLAGE).order_by("code")
    )
    return PeoplePlaces(districts=districts, streets=streets, communities=communities)
