"""`{% material_source case code as src %}`: where a case's shared material came from, for the
case page's materials table (one query per case, kept on the case object)."""

from __future__ import annotations

from django import template

from bianmin.sharing.queries import source_text, sources_of

register = template.Library()


@register.simple_tag
def material_source(case, code: str) -> str:
    sources = getattr(case, "_shared_sources", None)
    if sources is None:
        sources = sources_of(case)
        case._shared_sources = sources
    row = sources.get(code)
    return source_text(row) if row is not None else ""
