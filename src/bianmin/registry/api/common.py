"""Helpers shared by the registry API views."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Prefetch, QuerySet

from bianmin.core.errors import OutOfScope
from bianmin.registry.models import PersonTag
from bianmin.registry.queries import visible_tags

M = TypeVar("M", bound=Model)


def scoped_or_raise(model: type[M], pk: int) -> M:
    """The record to be changed, within scope; 403 outside it, 404 if there is none.

    Writes are audited by their service, so unlike `access_*` this fetch is not itself an
    audited read; the answer (403 vs 404) matches `access_*` so clients see one behaviour.
    """
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        if model.unscoped.filter(pk=pk).exists():
            raise OutOfScope()
        raise model.DoesNotExist
    return obj


def tag_links() -> Prefetch:
    """Attached tags a person shows: only those the acting user may see (health tags stay
    within the health department)."""
    return Prefetch(
        "tag_links",
        queryset=PersonTag.objects.filter(tag__in=visible_tags())
        .select_related("tag")
        .order_by("tag__sort", "tag__code"),
    )


def with_display_relations(qs: QuerySet) -> QuerySet:
    """Everything `PersonSerializer` reads, fetched up front: no query per row."""
    return qs.select_related(
        "grid", "residence_division", "registered_division", "household"
    ).prefetch_related(tag_links())
