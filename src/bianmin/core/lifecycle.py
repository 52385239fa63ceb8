"""Life events told once (一次告知，全网联动): the hook every register hangs on.

A death notice or a move is recorded once (by the registry's life-event service, whether it came
from a window or from a department's push) and then *dispatched* to every app that keeps data
depending on it: cases are suspended or closed, program follow-ups stopped, certificates marked,
benefits ended. Apps register a handler in `AppConfig.ready()`; `dispatch` calls them inside
the caller's transaction, so either every register follows the event or none does.

Each app also registers a consistency check: a function that yields every row of its own that
contradicts a life event (a follow-up due for a dead person, an open case of a dead applicant…).
`bianmin consistency` runs them all; it must come out clean after any sequence of events, which
is the test that a handler forgot nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEATH = "death"
MOVE = "move"  # residence (actual address / grid) changes within the platform's area
MOVE_OUT = "move_out"  # 户籍迁出: leaves the register's area
KINDS = (DEATH, MOVE, MOVE_OUT)


@dataclass(frozen=True)
class LifeEvent:
    kind: str
    person_id: int
    occurred_on: dt.date
    source: str  # who told us: "公安推送", "窗口登记" …
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"grid": "42010200200301"}


@dataclass(frozen=True)
class Contradiction:
    check: str  # the registered check's name
    model: str  # "cases.Case"
    pk: Any
    person_id: int | None
    message: str


Handler = Callable[[LifeEvent, Any], str | None]
Check = Callable[[], Iterable[Contradiction]]

_HANDLERS: dict[str, list[tuple[int, str, Handler]]] = {k: [] for k in KINDS}
_CHECKS: dict[str, Check] = {}


def register_handler(kind: str, name: str, func: Handler, *, order: int = 100) -> None:
    """`func(event, actor)` does what `kind` means for its app and returns a one-line summary
    (or None when nothing applied). Registering the same name twice keeps the first."""
    if kind not in _HANDLERS:
        raise ValueError(f"unknown life event kind {kind!r}")
    if all(n != name for _, n, _ in _HANDLERS[kind]):
        _HANDLERS[kind].append((order, name, func))
        _HANDLERS[kind].sort(key=lambda h: (h[0], h[1]))


def unregister_handler(kind: str, name: str) -> None:
    """Remove a handler (tests that register a fake one put the registry back)."""
    _HANDLERS[kind][:] = [h for h in _HANDLERS[kind] if h[1] != name]


def handlers(kind: str) -> list[str]:
    return [name for _, name, _ in _HANDLERS[kind]]


def dispatch(event: LifeEvent, actor: Any) -> list[tuple[str, str]]:
    """Run every handler of the event's kind, in order; [(handler, summary)] of those that did
    something. Call it inside the transaction that records the event."""
    done = []
    for _order, name, func in _HANDLERS[event.kind]:
        summary = func(event, actor)
        if summary:
            done.append((name, summary))
    return done


def register_check(name: str, func: Check) -> None:
    _CHECKS.setdefault(name, func)


def unregister_check(name: str) -> None:
    _CHECKS.pop(name, None)


def checks() -> list[str]:
    return sorted(_CHECKS)


def run_checks(only: Iterable[str] | None = None) -> list[Contradiction]:
    wanted = set(only) if only else None
    found: list[Contradiction] = []
    for name in sorted(_CHECKS):
        if wanted is None or name in wanted:
            found.extend(_CHECKS[name]())
    return found
