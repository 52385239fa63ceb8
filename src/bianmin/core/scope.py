"""Central data scoping: what the acting user may see.

The scope of the current request lives in a context variable. Models whose rows belong to an
area use `ScopedManager` as their default manager, so *every* query through `Model.objects`
(lists, search, counts, exports, related managers, the API) is cut to the user's area subtree
without the view having to remember it. Web requests start with a deny-all scope and are
widened only once a staff member is authenticated; the CLI and background jobs, which set no
scope, see everything. Code that must look across scopes on purpose (duplicate checks) uses the
explicit `unscoped` manager.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    # Division-code prefix of the user's area ("4201" a city, "420102001" a street); "" = all.
    area_prefix: str | None
    department_code: str | None = None
    user_id: int | None = None
    org_unit_code: str = ""

    @property
    def denied(self) -> bool:
        return self.area_prefix is None

    def covers(self, area_code: str | None) -> bool:
        if self.area_prefix is None:
            return False
        return (area_code or "").startswith(self.area_prefix)

    def restrict(self, qs: models.QuerySet, field: str) -> models.QuerySet:
        if self.area_prefix is None:
            return qs.none()
        if self.area_prefix == "":
            return qs
        return qs.filter(**{f"{field}__startswith": self.area_prefix})

    def restrict_as_range(self, qs: models.QuerySet, field: str) -> models.QuerySet:
        """`restrict`, said as the range [prefix, next prefix) of codes: the same rows (area
        codes are digits). For a list ordered by the area code — the plain index on it gives
        the rows in that order — rather than LIKE 'prefix%', which only the pattern index
        serves. Never both: the planner would count the restriction twice in its estimates."""
        if self.area_prefix is None:
            return qs.none()
        if self.area_prefix == "":
            return qs
        return qs.filter(prefix_range_q(field, self.area_prefix))


def prefix_q(path: str, prefix: str) -> Q:
    """Rows whose area code (at `path`) starts with `prefix`, also said as the range
    [prefix, next prefix): PostgreSQL turns `LIKE 'p%'` into an index range only with the
    pattern index, which it does not pick when it wants the plain index's order (a grouped
    query by area code, a list ordered by area code) — then it read every row of the city
    through that index to keep a district's (health records: 92k buffers for 2k rows). Area
    codes are digits, so the range is the same set in any collation."""
    if not prefix:
        return Q()
    q = Q(**{f"{path}__startswith": prefix})
    return q & prefix_range_q(path, prefix) if prefix.rstrip("9") else q


def prefix_range_q(path: str, prefix: str) -> Q:
    """Digit codes starting with `prefix`, as a range."""
    stem = prefix.rstrip("9")
    if not stem:  # "99…": every digit code from the prefix on starts with it
        return Q(**{f"{path}__gte": prefix})
    # "420109" → "42011": the first code after every "420109…"
    return Q(**{f"{path}__gte": prefix, f"{path}__lt": stem[:-1] + chr(ord(stem[-1]) + 1)})


DENY_ALL = Scope(area_prefix=None)
current_scope: ContextVar[Scope | None] = ContextVar("bianmin_scope", default=None)


@contextlib.contextmanager
def acting_in(scope: Scope | None) -> Iterator[None]:
    token = current_scope.set(scope)
    try:
        yield
    finally:
        current_scope.reset(token)


class ScopedQuerySet(models.QuerySet):
    pass


class ScopedManager(models.Manager):
    """Default manager that applies the current scope.

    A model either names its area field (`scope_area_field = "area_code"`: rows under the
    user's division prefix) or, when visibility needs more than an area (a case is also seen
    by the departments reviewing it), defines `scope_q(cls, scope) -> Q` as a classmethod.
    """

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset()
        scope = current_scope.get()
        if scope is None:
            return qs
        custom = getattr(self.model, "scope_q", None)
        if custom is None:
            return scope.restrict(qs, self.model.scope_area_field)
        if scope.area_prefix is None:
            return qs.none()
        return qs.filter(custom(scope))
