"""Demo-data loaders that apps contribute to `bianmin seed`, run after the city, the catalogue
and the cases exist. An app registers in `AppConfig.ready()`:

    demo.register("certificates", load_demo_certificates, order=10)

`func(*, seed: int, log: Callable[[str], None]) -> None`; lower `order` runs first (an app whose
demo needs another's data registers a higher order). Each loader runs in its own transaction,
so a failing one leaves the others' data and says which failed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

Loader = Callable[..., None]
_LOADERS: dict[str, tuple[int, Loader]] = {}


def register(name: str, func: Loader, *, order: int = 100) -> None:
    _LOADERS.setdefault(name, (order, func))


def names() -> list[str]:
    return [n for n, _ in sorted(_LOADERS.items(), key=lambda kv: (kv[1][0], kv[0]))]


def run_all(*, seed: int, log: Callable[[str], None]) -> None:
    for name in names():
        _order, func = _LOADERS[name]
        with transaction.atomic():
            func(seed=seed, log=log)
