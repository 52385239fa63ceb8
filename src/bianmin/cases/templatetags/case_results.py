"""`{% decision_result_rows case as rows %}`: a case's 决定内容 as (label, value) pairs, for the
counter's case page and the resident's."""

from __future__ import annotations

from django import template

from bianmin.cases.results import fields_for

register = template.Library()


@register.simple_tag
def decision_result_rows(case) -> list[tuple[str, str]]:
    """Labelled by the fields the item's result calls for (a name no longer offered shows as
    stored)."""
    if not case.decision_result:
        return []
    labels = {spec.name: spec.label for spec in fields_for(case)}
    return [(labels.get(name, name), value) for name, value in case.decision_result.items()]
