"""A new case and the rows it starts with — materials on file, the visit, reviews, a pledge or
a pause, its first event — written in one round trip on PostgreSQL.

Why: window intake is the platform's busiest write (the intake benchmark: 150 cases/s from 16
windows on a 2-core machine), and there the CPU an ORM insert costs — query objects, compiling,
binding, a round trip each — was most of an intake. PostgreSQL's data-modifying CTEs put all
the inserts in one statement: every child row reaches the new case's id through
`(SELECT id FROM c0)`, the case number comes from the sequence in the same statement
(`cases.numbering`), and the ids come back in one row. The SQL text depends only on the
shape (which tables, how many rows of each), so it is built once per shape and kept. Values
go through each field's own `pre_save` and `get_db_prep_save`, as the ORM's insert does, so
defaults, `auto_now` and JSON come out the same. Foreign keys are deferred constraints (as
Django creates them), checked at commit.

Other databases: one ORM insert per table, in the same order (SQLite serialises writers
anyway; the tests run the same services on both).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import psycopg
from django.db import connection, models

from bianmin.cases.models import Case
from bianmin.cases.numbering import SEQUENCE, next_number

_CASE_ALIAS = "c0"
# Fixed SQL fragments (no request data ever reaches the statement's text).
_PARENT_ID = '(SELECT "id" FROM c0)'
_PARENT_NUMBER = '(SELECT "case_no" FROM c0)'
_IDS_OF = 'ARRAY(SELECT "id" FROM %s ORDER BY "id")'
_shapes: dict[tuple, tuple[str, list[list[models.Field]]]] = {}


def _columns(model: type[models.Model]) -> list[models.Field]:
    meta = model._meta
    return [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]


def _groups(rows: Sequence[models.Model]) -> list[list[models.Model]]:
    """Rows by table, tables in order of first appearance, rows in their given order."""
    groups: dict[type, list[models.Model]] = {}
    for row in rows:
        groups.setdefault(type(row), []).append(row)
    return list(groups.values())


def _cte(alias: str, model: type[models.Model], fields, values: list[str], returning: str) -> str:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    rows = ", ".join(f"({', '.join(row)})" for row in values)
    # Identifiers come from the models and values are placeholders: nothing from a request.
    table = qn(model._meta.db_table)
    return f"{alias} AS (INSERT INTO {table} ({columns}) VALUES {rows} RETURNING {returning})"  # noqa: S608


def _sql_for(shape: tuple) -> tuple[str, list[list[models.Field]]]:
    known = _shapes.get(shape)
    if known is not None:
        return known
    number_in_sql, *children = shape
    case_fields = _columns(Case)
    number = f"(%s || lpad(mod(nextval('{SEQUENCE}'), 1000000)::text, 6, '0'))"
    case_values = [
        number if f.attname == "case_no" and number_in_sql else "%s" for f in case_fields
    ]
    ctes = [_cte(_CASE_ALIAS, Case, case_fields, [case_values], '"id", "case_no"')]
    fields_by_group = [case_fields]
    parent = _PARENT_ID
    selects = [_PARENT_ID, _PARENT_NUMBER]
    for k, (model, count) in enumerate(children, 1):
        fields = _columns(model)
        fields_by_group.append(fields)
        row = [parent if f.attname == "case_id" else "%s" for f in fields]
        ctes.append(_cte(f"r{k}", model, fields, [row] * count, '"id"'))
        selects.append(_IDS_OF % f"r{k}")
    sql = _numbered("WITH " + ", ".join(ctes) + " SELECT " + ", ".join(selects))
    _shapes[shape] = (sql, fields_by_group)
    return sql, fields_by_group


def _numbered(sql: str) -> str:
    """`%s` placeholders as PostgreSQL's `$1, $2 …`: psycopg converts a statement's
    placeholders on every run once it is longer than 4 KB or has more than 50 (its cache
    leaves those out), and this one is both; a raw cursor sends the numbered text as it is."""
    first, *rest = sql.split("%s")
    return first + "".join(f"${k}{part}" for k, part in enumerate(rest, 1))


def _params(obj: models.Model, fields: list[models.Field], skip: str) -> list:
    return [
        f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields if f.attname != skip
    ]


def insert_case(case: Case, rows: Sequence[models.Model], *, number_day: dt.date | None) -> None:
    """Insert `case` and then `rows`, each of which belongs to it (`row.case = case`); set
    their primary keys. `number_day`: allocate the case number for that day here (in the
    statement itself on PostgreSQL); None when `case.case_no` is already set."""
    groups = _groups(rows)
    if connection.vendor != "postgresql":
        if number_day is not None:
            case.case_no = next_number(number_day)
        case.save(force_insert=True)
        for group in groups:
            for row in group:
                row.case = case
            type(group[0]).objects.bulk_create(group)
        return
    number_in_sql = number_day is not None
    shape = (number_in_sql, *((type(g[0]), len(g)) for g in groups))
    sql, fields_by_group = _sql_for(shape)
    params = []
    for f in fields_by_group[0]:
        if f.attname == "case_no" and number_in_sql:
            params.append(f"BM{number_day:%Y%m%d}")
        else:
            params.append(f.get_db_prep_save(f.pre_save(case, True), connection))
    for group, fields in zip(groups, fields_by_group[1:], strict=True):
        for row in group:
            params.extend(_params(row, fields, skip="case_id"))
    result = execute_prepared(sql, params)
    case.pk, case.case_no = result[0], result[1]
    case._state.adding = False
    for group, ids in zip(groups, result[2:], strict=True):
        for row, pk in zip(group, ids, strict=True):
            row.case = case
            row.pk = pk
            row._state.adding = False


def execute_prepared(sql: str, params: Sequence) -> tuple:
    """Run one statement (placeholders `$1 …`) with server-side parameters and return its
    first row. psycopg prepares a statement it has seen a few times on the connection, so the
    intake's statement is then only executed, not parsed and planned. Same connection, same
    transaction as the ORM's queries."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.RawCursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def save_rows(rows: Sequence[models.Model]) -> None:
    """Save rows of an existing case: one insert per table, in order of first appearance."""
    for group in _groups(rows):
        if len(group) == 1:
            group[0].save(force_insert=True)
        else:
            type(group[0]).objects.bulk_create(group)
