"""Demo-data loaders that apps contribute to `bianmin seed`. An app registers in
`AppConfig.ready()`:

    demo.register("certificates", load_demo_certificates, order=10)

`func(*, seed: int, log: Callable[[str], None]) -> None`; lower `order` runs first (an app whose
demo needs another's data registers a higher order). Each loader runs in its own transaction,
so a failing one leaves the others' data and says which failed.

Two stages: `APPS` (the default) runs after the city, the catalogue and the cases exist;
`CITY` runs right after the city is built, before the catalogue and the cases — for what the
cases' own steps rely on (e.g. the issuing authorities an approval issues a certificate from).

Apps may also tell the cases demo which applicants suit an item (`register_applicant_check`):
a check returns False for a person whose registers could not carry the item's result (the
result certificate needs a field the registers lack), so the demo's cases are ones a clerk
could have completed without a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

CITY = "city"
APPS = "apps"
Loader = Callable[..., None]
ApplicantCheck = Callable[[Any, Any], bool]
_LOADERS: dict[str, tuple[int, Loader]] = {}
_STAGES: dict[str, str] = {}
_APPLICANT_CHECKS: list[ApplicantCheck] = []


def register(name: str, func: Loader, *, order: int = 100, stage: str = APPS) -> None:
    if stage not in (CITY, APPS):
        raise ValueError(f"unknown demo stage {stage!r}")
    if name not in _LOADERS:
        _LOADERS[name] = (order, func)
        _STAGES[name] = stage


def names(stage: str = APPS) -> list[str]:
    ordered = sorted(_LOADERS.items(), key=lambda kv: (kv[1][0], kv[0]))
    return [n for n, _ in ordered if _STAGES.get(n, APPS) == stage]


def run_all(*, seed: int, log: Callable[[str], None], stage: str = APPS) -> None:
    for name in names(stage):
        _order, func = _LOADERS[name]
        with transaction.atomic():
            func(seed=seed, log=log)


def register_applicant_check(func: ApplicantCheck) -> None:
    """`func(item, person) -> bool`: may this person apply for this item in the demo?"""
    if func not in _APPLICANT_CHECKS:
        _APPLICANT_CHECKS.append(func)


def applicant_fits(item: Any, person: Any) -> bool:
    return all(check(item, person) for check in _APPLICANT_CHECKS)
