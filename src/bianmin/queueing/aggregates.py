"""`Percentile`: PostgreSQL's percentile_cont as a Django aggregate, with the same function
written in Python for SQLite, so a p90 is one grouped query on both databases and gives the
same number (linear interpolation between the two closest ranks)."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Aggregate, FloatField

SQLITE_FUNCTION = "bianmin_percentile_cont"


class Percentile(Aggregate):
    """The continuous percentile (0 ≤ fraction ≤ 1) of an expression; NULLs are ignored."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any):
        fraction = float(fraction)
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("fraction must be between 0 and 1")
        # A float we produced ourselves, written into the SQL: never user input.
        super().__init__(expression, fraction=repr(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function=SQLITE_FUNCTION,
            template="%(function)s(%(expressions)s, %(fraction)s)",
            **extra_context,
        )


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """percentile_cont over a list, as PostgreSQL computes it."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class _SqlitePercentile:
    """SQLite aggregate class: collects one group's values (a hall's tickets of one day, a few
    thousand at most) and interpolates at the end."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value: float | None, fraction: float) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return percentile_cont(self.values, self.fraction)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_FUNCTION, 2, _SqlitePercentile)
