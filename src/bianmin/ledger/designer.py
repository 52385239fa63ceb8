"""The template designer's form: the whole layout travels in one HTML form (columns as
numbered field groups), so adding, removing and reordering columns is a round trip through the
server (htmx) that re-renders the form and its live preview — no client-side state to lose."""

from __future__ import annotations

import re
from typing import Any

from django.http import QueryDict

from bianmin.ledger.models import ColumnSource, ReportTemplate, ValueType

COLUMN_FIELDS = (
    "key", "label", "source", "indicator", "type", "unit", "min", "max", "choices", "decimals",
)  # fmt: skip


def columns_from_post(data: QueryDict) -> list[dict[str, Any]]:
    indexes = sorted({int(m.group(1)) for k in data if (m := re.match(r"^col-(\d+)-key$", k))})
    columns = []
    for i in indexes:
        column: dict[str, Any] = {f: data.get(f"col-{i}-{f}", "").strip() for f in COLUMN_FIELDS}
        column["required"] = data.get(f"col-{i}-required") == "on"
        columns.append(column)
    return columns


def headings_from_text(text: str) -> list[list[dict[str, Any]]]:
    """One header row per line, cells separated by "|", a span after a colon:
    "基础数据:2 | 工作情况:3"."""
    rows = []
    for line in (text or "").splitlines():
        cells = []
        for part in line.split("|"):
            part = part.strip()
            if not part:
                continue
            label, _sep, span = part.rpartition(":") if ":" in part else (part, "", "1")
            label = label or part
            cells.append({"label": label.strip(), "span": span.strip() or "1"})
        if cells:
            rows.append(cells)
    return rows


def headings_to_text(headings: list[list[dict[str, Any]]]) -> str:
    return "\n".join(" | ".join(f"{c['label']}:{c['span']}" for c in row) for row in headings)


def categories_from_text(text: str) -> list[dict[str, Any]]:
    """One category per line: "代码 | 名称 | 指标代码（可省）"."""
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts or not parts[0]:
            continue
        key = parts[0]
        label = parts[1] if len(parts) > 1 else ""
        indicator = parts[2] if len(parts) > 2 else ""
        out.append({"key": key, "label": label or key, "indicator": indicator})
    return out


def categories_to_text(categories: list[dict[str, Any]]) -> str:
    return "\n".join(
        " | ".join(x for x in (c["key"], c["label"], c.get("indicator", "")) if x)
        for c in categories
    )


def state_from_post(data: QueryDict) -> dict[str, Any]:
    return {
        "code": data.get("code", "").strip(),
        "name": data.get("name", "").strip(),
        "frequency": data.get("frequency", "monthly"),
        "row_kind": data.get("row_kind", "units"),
        "notes": data.get("notes", ""),
        "headings_text": data.get("headings_text", ""),
        "categories_text": data.get("categories_text", ""),
        "columns": columns_from_post(data),
    }


def state_from_template(template: ReportTemplate | None) -> dict[str, Any]:
    if template is None:
        return {
            "code": "",
            "name": "",
            "frequency": "monthly",
            "row_kind": "units",
            "notes": "",
            "headings_text": "",
            "categories_text": "",
            "columns": [],
        }
    columns = []
    for c in template.columns:
        column = {f: "" for f in COLUMN_FIELDS}
        column.update({k: ("" if v is None else v) for k, v in c.items()})
        if isinstance(column.get("choices"), list):
            column["choices"] = "、".join(column["choices"])
        columns.append(column)
    return {
        "code": template.code,
        "name": template.name,
        "frequency": template.frequency,
        "row_kind": template.row_kind,
        "notes": template.notes,
        "headings_text": headings_to_text(template.headings),
        "categories_text": categories_to_text(template.categories),
        "columns": columns,
    }


def _free_key(columns: list[dict[str, Any]], stem: str) -> str:
    taken = {c["key"] for c in columns}
    n = 1
    while f"{stem}{n}" in taken:
        n += 1
    return f"{stem}{n}"


def apply_op(state: dict[str, Any], op: str, indicator_names: dict[str, str]) -> None:
    """Add / remove / move a column in the designer's state."""
    columns = state["columns"]
    verb, _sep, arg = op.partition(":")
    if verb == "add-indicator" and arg:
        source = ColumnSource.INDICATOR
        stem = re.sub(r"[^a-z0-9_]", "_", arg.split(".")[-1])[:30] or "ind"
        key = stem if stem not in {c["key"] for c in columns} else _free_key(columns, stem)
        columns.append(
            {"key": key, "label": indicator_names.get(arg, arg), "source": source,
             "indicator": arg, "type": "", "unit": "", "min": "", "max": "", "choices": "",
             "decimals": "", "required": False}
        )  # fmt: skip
    elif verb == "add-manual":
        columns.append(
            {"key": _free_key(columns, "manual"), "label": "", "source": ColumnSource.MANUAL,
             "indicator": "", "type": ValueType.INT, "unit": "", "min": "0", "max": "",
             "choices": "", "decimals": "2", "required": True}
        )  # fmt: skip
    elif verb == "add-row":
        columns.append(
            {"key": _free_key(columns, "figure"), "label": "", "source": ColumnSource.ROW_INDICATOR,
             "indicator": "", "type": "", "unit": "", "min": "", "max": "", "choices": "",
             "decimals": "", "required": False}
        )  # fmt: skip
    elif verb in ("remove", "up", "down") and arg.isdigit():
        i = int(arg)
        if not 0 <= i < len(columns):
            return
        if verb == "remove":
            columns.pop(i)
        elif verb == "up" and i > 0:
            columns[i - 1], columns[i] = columns[i], columns[i - 1]
        elif verb == "down" and i < len(columns) - 1:
            columns[i + 1], columns[i] = columns[i], columns[i + 1]
