"""One pass over a file: read → check → write, a batch at a time.

On PostgreSQL (outside a caller's transaction) checking and writing overlap: this thread reads
and settles batch n+1 while a writer thread, on its own connection, COPYs batch n — the
database's work and Python's then run on different cores. A queue of two batches between them
bounds memory. Elsewhere (SQLite, or inside a caller's transaction, as in tests) the same
writer runs in this thread. For large files on PostgreSQL the rows' own checks run in worker
processes, a few batches ahead (`workers`); the rest of each batch's checks stays here, in
file order (`rows.RowChecker.settle`).

With `single_transaction`, every batch goes into one transaction (savepoints per batch) and
`finalize` runs inside it, so the job's result and its audit entry commit with the people
or not at all. The first bad row rolls the transaction back at once; the rest of the file is
still checked, so the error sheet lists every bad row.
"""

from __future__ import annotations

import contextlib
import gc
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, transaction

from bianmin.registry.importing.batch import CheckedBatch
from bianmin.registry.importing.columns import ColumnMap
from bianmin.registry.importing.errors_sheet import ErrorSheet
from bianmin.registry.importing.reading import Opener, Row, open_sheet
from bianmin.registry.importing.rows import RowChecker
from bianmin.registry.importing.workers import FieldPool
from bianmin.registry.importing.writing import BatchWriter, CopyEncoder

_ABORT = object()  # roll back: a bad row in an all-or-nothing import, or the reader failed
_DONE = object()


@dataclass
class PassResult:
    rows: int = 0
    unchanged: int = 0
    errors: int = 0
    created: int = 0
    households_created: int = 0
    committed_in_pass: bool = False  # finalize already ran inside the write transaction
    error_sheet: ErrorSheet | None = field(default=None, repr=False)


def pipelined() -> bool:
    """Whether a writer thread can take the writes: PostgreSQL and not inside a transaction
    the caller holds (another thread could not see that transaction's rows)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def run_pass(
    opener: Opener,
    *,
    columns: ColumnMap,
    job_id: Any,
    batch_size: int,
    write: bool,
    single_transaction: bool,
    tag_source: str,
    added_by_id: int | None,
    on_progress: Callable[[int], None],
    finalize: Callable[[PassResult], None],
    try_first_load: bool = False,
    processes: int = 0,
) -> PassResult:
    """`processes`: worker processes checking the rows' own fields (PostgreSQL writes only;
    see `workers`). They are forked here, before the writer thread starts."""
    result = PassResult(error_sheet=ErrorSheet(columns.headers))
    encoder = (
        CopyEncoder(tag_source=tag_source, added_by_id=added_by_id)
        if write and connection.vendor == "postgresql"
        else None
    )
    checker = RowChecker(columns=columns, job_id=job_id, copy_text=encoder is not None)
    pool = FieldPool(checker.fields, processes) if encoder is not None and processes else None

    writer = BatchWriter(
        tag_source=tag_source,
        added_by_id=added_by_id,
        try_first_load=try_first_load and write and single_transaction,
    )

    def produce() -> Iterator[CheckedBatch | object]:
        aborted = False
        if writer.try_first_load:
            # The writer's transaction decides first (see firstload): an empty, locked register
            # has no one to look up, and the look-ups would wait for its locks.
            writer.decided.wait()
            checker.assume_empty = writer.first_load
        with open_sheet(opener) as sheet:
            batches = _batches(sheet.rows(), batch_size)
            if pool is None:
                checked_batches = map(checker.check_batch, batches)
            else:
                checked_batches = (
                    checker.settle(raw, fields)
                    for raw, fields in pool.check(batches, checker.preload_places)
                )
            for checked in checked_batches:
                result.rows += checked.rows
                result.unchanged += checked.unchanged
                result.errors += len(checked.errors)
                result.error_sheet.add(checked.errors)
                if write and not aborted:
                    if checked.errors and single_transaction:
                        aborted = True
                        yield _ABORT
                    elif checked.people:
                        if encoder is not None:
                            checker.remember_household_ids(encoder.encode(checked))
                        yield checked
                on_progress(result.rows)

    # The checker's temporary files go with it, however the pass ends.
    with checker, pool if pool is not None else contextlib.nullcontext(), _fewer_collections():
        return _run(produce, write, writer, single_transaction, result, finalize)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector less often while a file is read, in a process of its own
    (not on a web server's thread: its requests' garbage would wait too).

    An import allocates millions of short-lived lists and keeps a growing table of 户; with
    the default thresholds the collector ran 360 times per 100k rows and took a fifth of the
    main process's time, walking the same long-lived objects again and again. What exists
    when the pass starts is frozen out of it, and it runs every 100,000 allocations instead
    of 700. Imports make few reference cycles; what they make is still collected.
    """
    if threading.active_count() > 1:
        yield
        return
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _run(produce, write, writer, single_transaction, result, finalize) -> PassResult:
    if not write:
        for _ in produce():
            pass
        return result

    def collect() -> None:
        result.created = writer.totals.created
        result.households_created = writer.totals.households_created

    def finish() -> None:  # inside the one transaction, just before it commits
        writer.before_commit()
        collect()
        finalize(result)
        result.committed_in_pass = True

    batches = produce()
    try:
        if pipelined():
            _consume_in_thread(batches, writer, single_transaction, finish)
        else:
            _consume(batches, writer, single_transaction, finish)
    finally:
        batches.close()
    if not result.committed_in_pass:
        collect()
    return result


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for number, values in rows:
        # Excel leaves formatted but empty rows behind; they are not data. (The first cell
        # settles it for almost every row without joining them all.)
        first = values[0] if values else ""
        if (not first or first.isspace()) and not "".join(values).strip():
            continue
        batch.append((number, values))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _consume(
    items: Iterator[Any], writer: BatchWriter, single_transaction: bool, finish: Callable[[], None]
) -> None:
    if single_transaction:
        with transaction.atomic():
            writer.begin()
            for item in items:
                if item is _ABORT:
                    transaction.set_rollback(True)
                    break
                writer.write(item)
            else:
                finish()
        for _ in items:  # the producer goes on checking the rest of the file
            pass
        return
    for item in items:
        if item is _ABORT:
            break
        writer.write(item)
    for _ in items:
        pass


def _consume_in_thread(
    items: Iterator[Any], writer: BatchWriter, single_transaction: bool, finish: Callable[[], None]
) -> None:
    handoff: queue.Queue[Any] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def work() -> None:
        try:
            _consume(iter(handoff.get, _DONE), writer, single_transaction, finish)
        except BaseException as exc:  # handed to the producer thread, which re-raises it
            failure.append(exc)
            writer.decided.set()  # the producer may be waiting for a begin() that never ran
            while handoff.get() is not _DONE:  # keep draining so the producer never blocks
                pass
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=work, name="bianmin-import-writer", daemon=True)
    thread.start()
    try:
        for item in items:
            if failure:
                break
            handoff.put(item)
    except BaseException:
        handoff.put(_ABORT)
        raise
    finally:
        handoff.put(_DONE)
        thread.join()
    if failure:
        raise failure[0]
