"""多证联办 read as one application: the prechecks of a bundle's items merged into one list of
what is missing, one of conditional materials and one of shared ones — a material several
items need named once, with the items that need it — and one verdict. The counter's page,
the API's answers, the bundle's notice and its message all read this, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bianmin.cases.services.precheck import MaterialCheck, Precheck


@dataclass(frozen=True)
class MergedCheck:
    checks: tuple[Precheck, ...]

    def _unique(self, attr: str, *, skip: set[str] = frozenset()) -> list[MaterialCheck]:
        seen: dict[str, MaterialCheck] = {}
        for checked in self.checks:
            for c in getattr(checked, attr):
                if c.code not in skip:
                    seen.setdefault(c.code, c)
        return list(seen.values())

    @property
    def missing(self) -> list[MaterialCheck]:
        """Everything in the way of acceptance, each material once (the first item's words)."""
        return self._unique("missing")

    @property
    def conditional(self) -> list[MaterialCheck]:
        # A material another item requires outright is in `missing`, not here too.
        return self._unique("conditional", skip=self._codes("missing") | self._codes("shared"))

    @property
    def shared(self) -> list[MaterialCheck]:
        # Fetched for one item but asked for another (a department without a grant): asked.
        return self._unique("shared", skip=self._codes("missing"))

    def _codes(self, attr: str) -> set[str]:
        return {c.code for checked in self.checks for c in getattr(checked, attr)}

    @property
    def problems(self) -> list[str]:
        """Eligibility problems, each with the item it concerns when there are several."""
        several = len(self.checks) > 1
        result = []
        for checked in self.checks:
            for p in checked.problems:
                result.append(f"{checked.item.name}：{p}" if several else p)
        return list(dict.fromkeys(result))

    @property
    def complete(self) -> bool:
        return all(c.complete for c in self.checks)

    @property
    def deficiency_possible(self) -> bool:
        return (
            not self.complete
            and not self.problems
            and all(c.complete or c.deficiency_possible for c in self.checks)
        )

    def needed_by(self, code: str) -> list[str]:
        """The names of the items that stand in need of this material (missing for them)."""
        return [
            checked.item.name
            for checked in self.checks
            if code in {c.code for c in checked.missing}
        ]

    def notice(self) -> dict[str, Any]:
        """The one notice of the application, as data (the printable page, the API)."""
        several = len(self.checks) > 1

        def entry(c: MaterialCheck) -> dict[str, Any]:
            row = c.as_dict()
            if several:
                row["items"] = self.needed_by(c.code)
            return row

        return {
            "missing": [entry(c) for c in self.missing],
            "conditional": [c.as_dict() for c in self.conditional],
            "shared": [c.as_dict() for c in self.shared],
            "problems": self.problems,
            "deficiency_possible": self.deficiency_possible,
        }
