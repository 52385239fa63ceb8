"""Correcting deadlines that were guessed across a year the working-day calendar did not cover
(`core.workdays.add_workdays_provisional`) once an administrator publishes that year.

Each app keeps what its deadline was counted from and runs `correct_each` from a periodic job
with the rows still marked provisional and a function that recomputes one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


def correct_each(pending: models.QuerySet[M], correct: Callable[[M], bool]) -> int:
    """Run `correct` on each row of `pending`, each in its own short transaction with the row
    locked and re-read through the same filter — a row answered, rectified or corrected since
    the list was read is skipped — so a long run neither holds locks for long nor loses
    everything on one failure. `correct` saves and returns True when it changed the row;
    the count of those is returned."""
    corrected = 0
    for pk in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            row = pending.select_for_update().filter(pk=pk).first()
            if row is not None and correct(row):
                corrected += 1
    return corrected
