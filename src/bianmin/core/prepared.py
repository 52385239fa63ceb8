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
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, get_related_populators
from django.db.models.signals import post_save, pre_save

from bianmin.core.scope import Scope, acting_in

# A scope no real user has: a queryset whose SQL changes under it depends on the scope (a
# ScopedManager), so its SQL must not serve another request's scope.
_PROBE_SCOPE = Scope(area_prefix="~prepared-probe~")


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
        if not _shape_reusable(queryset, compiler, params, values) or not self._scope_free(
            values, sql
        ):
            self.refused.add(connection.vendor)
            return list(queryset)
        compiled = _Compiled(queryset, compiler, sql)
        # Two equal values: which placeholder is which cannot be told from this call, so its
        # SQL serves this call only; the next call compiles again.
        if _distinct(values):
            self.compiled[connection] = compiled
        return compiled.rows(params)

    def _scope_free(self, values: tuple, sql: str) -> bool:
        with acting_in(_PROBE_SCOPE):
            probe = self.build(*values)
            try:
                return probe.query.get_compiler(using=probe.db).as_sql()[0] == sql
            except EmptyResultSet:
                return False


# --- inserts --------------------------------------------------------------------------------

_inserts: dict[tuple[type[models.Model], str, tuple], tuple[str, list[models.Field]]] = {}


def insert(
    obj: models.Model, *, unless_exists: tuple[str, ...] = (), replacing: tuple[str, ...] = ()
) -> bool:
    """`obj.save(force_insert=True)` for a new row whose primary key the database assigns,
    with the INSERT built once per model (values still go through each field's `pre_save`
    and `get_db_prep_save`, as the ORM's insert does). True when the row went in.

    `unless_exists`: the fields of a unique constraint; a row already holding those values
    makes this a no-op (`ON CONFLICT … DO NOTHING`, False) instead of an error — no savepoint
    needed, so the caller's transaction stays usable either way. With `replacing` (field
    names) such a row instead takes this row's values of those fields (`ON CONFLICT … DO
    UPDATE`) and keeps its id, which `obj` takes.

    A model with its own `save()` or with save signals, inheritance, database defaults or
    generated columns, or a backend that cannot return the new id, gets the ORM's save."""
    model = type(obj)
    meta = model._meta
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    if (
        model.save is not models.Model.save
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)
        or not connection.features.can_return_columns_from_insert
        or meta.auto_field is None
        or meta.parents
        or obj.pk is not None
        or any(f.generated or f.has_db_default() for f in meta.concrete_fields)
    ):
        if replacing:
            model._base_manager.using(alias).bulk_create(
                [obj],
                update_conflicts=True,
                unique_fields=list(unless_exists),
                update_fields=list(replacing),
            )
            return True
        if not unless_exists:
            obj.save(force_insert=True, using=alias)
            return True
        try:
            with transaction.atomic(using=alias):
                obj.save(force_insert=True, using=alias)
        except IntegrityError:
            return False
        return True
    shape = (model, connection.vendor, unless_exists, replacing)
    known = _inserts.get(shape)
    if known is None:
        qn = connection.ops.quote_name
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        columns = ", ".join(qn(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        conflict = ""
        if unless_exists:
            target = ", ".join(qn(meta.get_field(name).column) for name in unless_exists)
            conflict = f"ON CONFLICT ({target}) DO NOTHING "
            if replacing:
                updates = ", ".join(
                    f"{qn(c)} = EXCLUDED.{qn(c)}"
                    for c in (meta.get_field(name).column for name in replacing)
                )
                conflict = f"ON CONFLICT ({target}) DO UPDATE SET {updates} "
        # Names come from the model, values are bound.
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
            f"{conflict}RETURNING {qn(meta.auto_field.column)}"
        )
        known = _inserts[shape] = (sql, fields)
    sql, fields = known
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:  # the constraint's values were taken: nothing inserted
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = alias
    return True
