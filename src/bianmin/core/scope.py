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
