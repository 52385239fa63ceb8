"""Helpers shared by the registry API views."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

from bianmin.core.errors import OutOfScope
from bianmin.core.scope import current_scope
from bianmin.registry.models import Person, PersonTag, Tag
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


# --- Tags shown with a person ---------------------------------------------------------------
# Every person answer shows tags. The tag list is reference data an administrator seldom edits,
# so each process keeps the visible list for a minute (and drops it at once when a tag is saved
# here) instead of querying it on every look-up.

TAG_CACHE_SECONDS = 60.0
_tag_cache: dict[tuple, tuple[float, list[Tag]]] = {}


def _visibility_key() -> tuple:
    # Exactly the inputs `visible_tags()` decides on.
    scope = current_scope.get()
    if scope is None:
        return (None,)
    return (scope.area_prefix == "", scope.department_code)


def visible_tag_list() -> list[Tag]:
    key = _visibility_key()
    hit = _tag_cache.get(key)
    now = time.monotonic()
    if hit is None or now - hit[0] > TAG_CACHE_SECONDS:
        hit = (now, list(visible_tags()))
        _tag_cache[key] = hit
    return hit[1]


def _forget_tags(**_kwargs) -> None:
    _tag_cache.clear()


post_save.connect(_forget_tags, sender=Tag, dispatch_uid="api-tag-cache-save")
post_delete.connect(_forget_tags, sender=Tag, dispatch_uid="api-tag-cache-delete")


def attach_tags(people: Iterable[Person]) -> None:
    """Set `attached_tags` on each person: their hand-attached tags that the acting user may
    see, in display order — one query for the whole page, however many people."""
    people = list(people)
    if not people:
        return
    by_id: dict[int, list[str]] = {p.pk: [] for p in people}
    for person_id, tag_id in PersonTag.objects.filter(person_id__in=by_id).values_list(
        "person_id", "tag_id"
    ):
        by_id[person_id].append(tag_id)
    visible = visible_tag_list()
    for person in people:
        codes = set(by_id[person.pk])
        person.attached_tags = [t for t in visible if t.code in codes]


def with_display_relations(qs: QuerySet) -> QuerySet:
    """Everything `PersonSerializer` reads except tags (see `attach_tags`), fetched up front."""
    return qs.select_related("grid", "residence_division", "registered_division", "household")
