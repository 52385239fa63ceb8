"""Real concurrency for PostgreSQL tests: work racing in threads, each with its own database
connection (SQLite serialises every write transaction, so there is no race to show there)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def race(n: int, work: Callable[[int], Any], *, timeout: float = 120) -> list[Any]:
    """work(0…n-1) in n threads released at the same instant; each result or exception (the
    test asserts on them). Each thread closes its connection when done."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as e:  # collected and asserted on by the test
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
