from __future__ import annotations

from decimal import Decimal

from django import template

from bianmin.ledger.tables import display

register = template.Library()


@register.filter
def is_number(value) -> bool:
    return isinstance(value, Decimal)


@register.simple_tag
def cell_display(column, value) -> str:
    return display(column, value) if value is not None else "—"


@register.filter
def status_badge(status: str) -> str:
    return {"draft": "info", "submitted": "warn", "returned": "bad", "approved": "ok"}.get(
        status, "info"
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def preview_grid(table) -> dict:
    from bianmin.ledger.views import _first_header, display_grid

    return {
        "grid": display_grid(table),
        "first_header": _first_header(table.report.layout["row_kind"]),
    }
