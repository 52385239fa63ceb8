"""Querysets compiled once per process and connection, then run with new values.

Why: on the busiest requests (token check, intake, shared-data fetch) building and compiling a
small queryset — filters, joins of `select_related`, the column list — costs more CPU than
the database spends answering it. `PreparedQuery(build)` runs `build(*values)` the first time,
keeps the compiled SQL and Django's own description of the result (`compiler.select`,
`klass_info`), and afterwards only executes that SQL with the new values and builds the rows
the way `QuerySet` does (`from_db`, converters, related objects of `select_related`).

It reuses the SQL only when that is safe: the compiled parameters must be exactly the values
given, in the same order and of the same types, and all different (so each placeholder is
known to be which value); otherwise — or for a queryset with prefetches, annotations or a
values() mapping — every call just runs the queryset. Write `build` with every variable part
as an argument, e.g. `PreparedQuery(lambda key: Token.objects.filter(key=key))`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, get_related_populators


class _Compiled:
    """One queryset's compiled form on one connection (converters depend on the backend)."""

    def __init__(self, queryset: QuerySet, compiler, sql: str) -> None:
        self.sql = sql
        self.compiler = compiler
        self.db = queryset.db
        self.flat = queryset._iterable_class is FlatValuesListIterable
        if self.flat:
            return
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)

    def rows(self, values: tuple) -> list[Any]:
        compiler = self.compiler
        with compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, values)
            fetched = cursor.fetchall()
        rows = compiler.results_iter(results=[fetched])
        if self.flat:
            return [row[0] for row in rows]
        out = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out


def _shape_reusable(queryset: QuerySet, compiler, params: tuple, values: tuple) -> bool:
    """Whether this queryset's SQL can serve other values at all (else: never try again)."""
    if queryset._iterable_class not in (ModelIterable, FlatValuesListIterable):
        return False
    if queryset._prefetch_related_lookups or queryset._known_related_objects:
        return False
    if queryset.query.select_for_update:  # its check of the open transaction would be skipped
        return False
    if queryset._iterable_class is ModelIterable and (
        compiler.klass_info is None or compiler.annotation_col_map
    ):
        return False
    # Each parameter must be a given value, unchanged: then the SQL has no constant of its own.
    return len(params) == len(values) and all(
        p == v and type(p) is type(v) for p, v in zip(params, values, strict=True)
    )


def _distinct(values: tuple) -> bool:
    try:
        return len(set(values)) == len(values)
    except TypeError:  # unhashable values: not told apart
        return False


class PreparedQuery:
    """`PreparedQuery(build)(*values)` → the list `build(*values)` would give."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self.alias: str | None = None
        # Per connection object (each thread has its own); forgotten when it is closed for good.
        self.compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.refused: set[str] = set()  # vendors where this queryset cannot be reused

    def __call__(self, *values: Any) -> list[Any]:
        connection = connections[self.alias] if self.alias else None
        compiled = self.compiled.get(connection) if connection is not None else None
        if compiled is not None:
            return compiled.rows(values)
        queryset = self.build(*values)
        self.alias = queryset.db
        connection = connections[queryset.db]
        if connection.vendor in self.refused:
            return list(queryset)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # e.g. `__in` an empty list: no SQL at all for these values
            return list(queryset)
        params = tuple(params)
        if not _shape_reusable(queryset, compiler, params, values):
            self.refused.add(connection.vendor)
            return list(queryset)
        compiled = _Compiled(queryset, compiler, sql)
        # Two equal values: which placeholder is which cannot be told from this call, so its
        # SQL serves this call only; the next call compiles again.
        if _distinct(values):
            self.compiled[connection] = compiled
        return compiled.rows(params)
