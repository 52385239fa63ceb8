"""Checking rows' own fields in worker processes: the ID check, encryption and hashing, the
codes and the COPY text — most of an import's Python — spread over the machine's cores,
which one interpreter cannot use (the GIL).

The main process reads the file, sends each batch to a worker (batch k to worker k mod n),
and takes the results back in file order; what needs the whole file or the database stays
with it (`rows.RowChecker.settle`). The workers are forked after set-up, so they start with
the checker, its tags and translations already loaded and share those pages with the main
process; they never touch the database:

- the places (divisions, grids) a batch names are looked up by the main process, which sends
  each worker those it has not had yet with the batch;
- Django's connections are cut in the worker (a connection inherited through fork shares
  the parent's socket: one query from the child would corrupt the parent's session), so a
  stray query fails loudly instead.

Forking is only safe when no other thread could hold a lock the child needs, so the pool is
used only from a process's single thread (the `bianmin worker` command, `import_people`, the
benchmark), before the import's writer thread starts; an import on a web server's thread
checks its rows in that thread as before. A worker that fails or dies fails the import (in
the all-or-nothing mode nothing is written).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import translation

from bianmin.core.scope import acting_in, current_scope
from bianmin.registry.importing.fields import FieldChecker, Fields, place_code

logger = logging.getLogger(__name__)

Raw = Sequence[tuple[int, Sequence[Any]]]
_WAIT = 5.0  # seconds between checks that the worker is still alive


class WorkerFailed(RuntimeError):
    pass


def processes_for(estimated_rows: int) -> int:
    """How many worker processes an import of this size gets (0: check in this process)."""
    wanted = settings.BIANMIN.get("IMPORT_WORKERS")
    if wanted is None:
        wanted = min(os.cpu_count() or 1, 4)
    minimum = settings.BIANMIN.get("IMPORT_WORKERS_MIN_ROWS", 20_000)
    if (
        wanted < 1
        or estimated_rows < minimum
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return 0
    return wanted


class FieldPool:
    """n forked processes running `FieldChecker.check`; use as a context manager."""

    def __init__(self, checker: FieldChecker, processes: int):
        self.checker = checker
        # Per worker: the process, its task queue, the pipe its results come back on. Tasks go
        # through a Queue, whose feeder thread does the writing: with a plain pipe both ways,
        # this process could block sending a batch to a worker that is itself blocked
        # sending a result this process has not read yet.
        self._workers: list[tuple[multiprocessing.Process, Any, Any]] = []
        self._sent: list[tuple[set[str], set[str]]] = []
        context = multiprocessing.get_context("fork")
        language = translation.get_language()
        scope = current_scope.get()
        # Objects alive now are frozen out of the collector: the children's collections then
        # do not write to (and so copy) every page they share with this process.
        gc.freeze()
        try:
            for _ in range(processes):
                tasks = context.Queue()
                results, theirs = context.Pipe(duplex=False)
                process = context.Process(
                    target=_work,
                    args=(tasks, theirs, checker, language, scope),
                    name="bianmin-import-check",
                    daemon=True,
                )
                process.start()
                theirs.close()
                self._workers.append((process, tasks, results))
                self._sent.append((set(), set()))
        except BaseException:
            self.close()
            raise
        finally:
            gc.unfreeze()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p, _tasks, _results in self._workers]

    def __enter__(self) -> FieldPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, batches: Iterable[Raw], places: Any) -> Iterator[tuple[Raw, Fields]]:
        """The batches with their checked fields, in order. `places(raw)` looks the batch's
        places up in the main process and returns its cells naming divisions and grids."""
        n = len(self._workers)
        pending: deque[tuple[int, Raw]] = deque()
        known = self.checker.places
        batches = iter(batches)
        k = 0
        while True:
            while len(pending) < 2 * n:  # each worker has one batch queued behind its current
                raw = next(batches, None)
                if raw is None:
                    break
                divisions, grids = places(raw)
                w = k % n
                sent_divisions, sent_grids = self._sent[w]  # cells, as written
                new_divisions = _entries(divisions - sent_divisions, known.divisions)
                new_grids = _entries(grids - sent_grids, known.grids)
                sent_divisions.update(divisions)
                sent_grids.update(grids)
                self._workers[w][1].put((new_divisions, new_grids, raw))
                pending.append((w, raw))
                k += 1
            if not pending:
                return
            w, raw = pending.popleft()
            yield raw, self._receive(w)

    def _receive(self, w: int) -> Fields:
        process, _tasks, conn = self._workers[w]
        while not conn.poll(_WAIT):
            if not process.is_alive():
                raise WorkerFailed(f"import worker {process.pid} ended ({process.exitcode})")
        try:
            outcome = conn.recv()
        except EOFError:
            raise WorkerFailed(f"import worker {process.pid} ended") from None
        if outcome[0] == "ok":
            return outcome[1]
        # Only the exception's type and where: its text could quote a row.
        logger.error("import worker failed: %s\n%s", outcome[1], outcome[2])
        raise WorkerFailed(f"import worker failed: {outcome[1]}")

    def close(self) -> None:
        for _process, tasks, _results in self._workers:
            with contextlib.suppress(OSError, ValueError):
                tasks.put(None)
        for process, tasks, results in self._workers:
            # After an early stop a worker may still be sending a result nobody will use:
            # read and drop it so the worker can reach its end.
            deadline = time.monotonic() + 10
            while process.is_alive() and time.monotonic() < deadline:
                try:
                    while results.poll(0.05):
                        results.recv()
                except (EOFError, OSError):
                    pass
                process.join(0.05)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
            results.close()
            tasks.close()
            tasks.cancel_join_thread()  # what a dead worker never read is not waited for
        self._workers = []


def _entries(cells: set[str], known: dict[str, Any]) -> dict[str, Any]:
    codes = {place_code(c) for c in cells}
    codes.discard("")
    return {code: known[code] for code in codes}


# --- in the worker --------------------------------------------------------------------------

_inherited: list[Any] = []  # the parent's connections: kept referenced, never closed here


def _cut_database() -> None:
    """Make this (forked) process unable to use the database. Closing an inherited connection
    would end the parent's session (libpq sends Terminate on the shared socket), so each is
    only dropped from Django's view and kept referenced until the process exits (os._exit,
    no finalizers)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("an import worker process does not use the database")

    for alias in connections:
        wrapper = connections[alias]
        _inherited.append(wrapper.connection)
        wrapper.connection = None
        wrapper.connect = refuse
        wrapper.ensure_connection = refuse


def _work(tasks: Any, conn: Any, checker: FieldChecker, language: str | None, scope: Any) -> None:
    _cut_database()
    # The main process decides when to stop: Ctrl+C reaches it (and the whole process
    # group), SIGTERM ends a worker, whatever handler the parent had installed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # What the parent had is frozen (see FieldPool); the batches make few cycles.
    gc.set_threshold(100_000, 50, 1000)
    if language:
        translation.activate(language)
    with acting_in(scope):
        while True:
            message = tasks.get()
            if message is None:
                return
            divisions, grids, raw = message
            checker.places.divisions.update(divisions)
            checker.places.grids.update(grids)
            try:
                conn.send(("ok", checker.check(raw)))
            except Exception as exc:
                conn.send(
                    ("failed", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
                )
                return
