"""The producer/writer hand-off used on PostgreSQL: order, rollback, and failures on either side.

The database part of the writer is covered by the import tests (which run the same writer in
the test's own transaction); here the thread orchestration is checked with a fake writer and
a fake transaction, so nothing depends on a second connection seeing the test's data.
"""

from __future__ import annotations

import contextlib
import threading

import pytest

from bianmin.registry.importing import pipeline


class FakeTransaction:
    def __init__(self):
        self.log: list[str] = []

    @contextlib.contextmanager
    def atomic(self):
        self.log.append("begin")
        self.rollback = False
        try:
            yield
        except BaseException:
            self.log.append("rollback")
            raise
        self.log.append("rollback" if self.rollback else "commit")

    def set_rollback(self, value: bool) -> None:
        self.rollback = value


class FakeWriter:
    def __init__(self, fail_on: object | None = None):
        self.written: list[object] = []
        self.fail_on = fail_on
        self.decided = threading.Event()

    def begin(self) -> None:
        self.written.append("begin")

    def write(self, batch: object) -> None:
        if batch == self.fail_on:
            raise RuntimeError("disk full")
        self.written.append(batch)


@pytest.fixture
def fake_tx(monkeypatch):
    tx = FakeTransaction()
    monkeypatch.setattr(pipeline, "transaction", tx)
    monkeypatch.setattr(pipeline.connections, "close_all", lambda: None)
    return tx


def _producer(items, produced):
    for item in items:
        produced.append(item)
        yield item


def test_batches_are_written_in_order_and_finalized_inside_the_transaction(fake_tx):
    writer, finished, produced = FakeWriter(), [], []
    items = [f"b{i}" for i in range(10)]
    pipeline._consume_in_thread(
        _producer(items, produced), writer, True, lambda: finished.append(list(fake_tx.log))
    )
    assert writer.written == ["begin", *items]
    assert finished == [["begin"]]  # before the commit
    assert fake_tx.log == ["begin", "commit"]


def test_a_bad_row_rolls_back_and_the_rest_is_still_checked(fake_tx):
    writer, finished, produced = FakeWriter(), [], []
    items = ["b0", "b1", pipeline._ABORT, "b3", "b4"]
    pipeline._consume_in_thread(
        _producer(items, produced), writer, True, lambda: finished.append(True)
    )
    assert writer.written == ["begin", "b0", "b1"]
    assert produced == items  # the producer went on to the end of the file
    assert finished == [] and fake_tx.log == ["begin", "rollback"]


def test_a_writer_failure_stops_the_producer_and_is_raised(fake_tx):
    produced: list[object] = []
    writer = FakeWriter(fail_on="b2")
    with pytest.raises(RuntimeError, match="disk full"):
        pipeline._consume_in_thread(
            _producer([f"b{i}" for i in range(50)], produced), writer, True, lambda: None
        )
    assert len(produced) < 50
    assert fake_tx.log == ["begin", "rollback"]


def test_a_reader_failure_rolls_the_writer_back(fake_tx):
    writer = FakeWriter()

    def broken():
        yield "b0"
        raise ValueError("truncated file")

    with pytest.raises(ValueError, match="truncated"):
        pipeline._consume_in_thread(broken(), writer, True, lambda: None)
    assert writer.written == ["begin", "b0"] and fake_tx.log == ["begin", "rollback"]


def test_without_one_transaction_each_batch_stands_alone(fake_tx):
    writer = FakeWriter()
    pipeline._consume_in_thread(iter(["b0", "b1"]), writer, False, lambda: None)
    assert writer.written == ["b0", "b1"] and fake_tx.log == []
