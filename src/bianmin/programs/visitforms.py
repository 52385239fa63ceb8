"""Visit forms: a program's `form_schema` is a list of typed fields, and visit data is checked
against it here and nowhere else (pages, API and imports all call `clean_visit_data`).

    {"key": "sbp", "label": "收缩压", "type": "int", "unit": "mmHg",
     "min": 60, "max": 260, "required": true}
    {"key": "control", "label": "控制情况", "type": "choice",
     "choices": [["good", "控制满意"], ["poor", "控制不满意"]]}

Types: int, decimal, choice, bool, date, text (`max_length`, default 500). Optional
cross-field checks go in a `checks` entry of the schema list:
`{"check": "gt", "left": "sbp", "right": "dbp", "message": "收缩压应高于舒张压"}`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TYPES = ("int", "decimal", "choice", "bool", "date", "text")
FIELD_KEYS = {
    "key",
    "label",
    "type",
    "unit",
    "min",
    "max",
    "choices",
    "required",
    "max_length",
    "help",
}
CHECK_OPS = {
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def fields_of(schema: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in schema if "key" in f]


def checks_of(schema: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in schema if "check" in f]


def _schema_error(message) -> ValidationError:
    return ValidationError({"form_schema": ValidationError(message, code="invalid_form_schema")})


def validate_schema(schema: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The schema, checked when a program is defined, so a visit never meets a broken form."""
    if not isinstance(schema, list):
        raise _schema_error(_("随访表单应为字段列表。"))
    seen: set[str] = set()
    for f in fields_of(schema):
        key = f.get("key")
        if not isinstance(key, str) or not key.isidentifier() or key in seen:
            raise _schema_error(_("字段代码无效或重复：%(key)s。") % {"key": key})
        seen.add(key)
        if set(f) - FIELD_KEYS:
            raise _schema_error(_("字段%(key)s含未知属性。") % {"key": key})
        if f.get("type") not in TYPES:
            raise _schema_error(_("字段%(key)s的类型无效。") % {"key": key})
        if not f.get("label"):
            raise _schema_error(_("字段%(key)s缺少名称。") % {"key": key})
        if f["type"] == "choice":
            choices = f.get("choices")
            if not choices or not all(isinstance(c, list | tuple) and len(c) == 2 for c in choices):
                raise _schema_error(_("选择字段%(key)s需要选项列表。") % {"key": key})
        if f["type"] in ("int", "decimal"):
            lo, hi = f.get("min"), f.get("max")
            if lo is not None and hi is not None and Decimal(str(lo)) > Decimal(str(hi)):
                raise _schema_error(_("字段%(key)s的最小值大于最大值。") % {"key": key})
    for c in checks_of(schema):
        if (
            c.get("check") not in CHECK_OPS
            or c.get("left") not in seen
            or c.get("right") not in seen
        ):
            raise _schema_error(_("表单校验规则无效。"))
    return schema


def _number(f: dict[str, Any], raw: Any, *, integer: bool) -> int | Decimal:
    if isinstance(raw, bool):
        raise ValidationError(_("请填写数字。"), code="invalid_number")
    text = str(raw).strip()
    try:
        value: int | Decimal = int(text) if integer else Decimal(text)
    except (ValueError, InvalidOperation):
        if integer:
            raise ValidationError(_("请填写整数。"), code="invalid_int") from None
        raise ValidationError(_("请填写数字。"), code="invalid_number") from None
    if not integer and not value.is_finite():
        raise ValidationError(_("请填写数字。"), code="invalid_number")
    unit = f.get("unit", "")
    lo, hi = f.get("min"), f.get("max")
    if (lo is not None and value < Decimal(str(lo))) or (
        hi is not None and value > Decimal(str(hi))
    ):
        raise ValidationError(
            _("%(label)s应在%(min)s至%(max)s%(unit)s之间，%(value)s不可能。"),
            code="out_of_range",
            params={
                "label": f["label"],
                "min": lo if lo is not None else "—",
                "max": hi if hi is not None else "—",
                "unit": unit,
                "value": value,
            },
        )
    return value


def _clean_one(f: dict[str, Any], raw: Any, *, visited_on: dt.date | None) -> Any:
    kind = f["type"]
    if kind == "int":
        return _number(f, raw, integer=True)
    if kind == "decimal":
        return str(_number(f, raw, integer=False))
    if kind == "choice":
        codes = [str(c[0]) for c in f["choices"]]
        if str(raw) not in codes:
            raise ValidationError(_("请选择有效的选项。"), code="invalid_choice")
        return str(raw)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "on", "yes", "是"):
            return True
        if text in ("false", "0", "off", "no", "否"):
            return False
        raise ValidationError(_("请选择是或否。"), code="invalid_bool")
    if kind == "date":
        try:
            day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValidationError(_("日期格式应为YYYY-MM-DD。"), code="invalid_date") from None
        if visited_on is not None and day > visited_on:
            raise ValidationError(_("日期不能晚于随访日期。"), code="after_visit")
        return day.isoformat()
    text = str(raw).strip()
    if len(text) > int(f.get("max_length", 500)):
        raise ValidationError(_("内容过长。"), code="too_long")
    return text


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean_visit_data(
    schema: list[dict[str, Any]], data: dict[str, Any], *, visited_on: dt.date | None = None
) -> dict[str, Any]:
    """Typed, checked answers (JSON-ready), or ValidationError keyed by field — all problems
    at once, so a form can show each beside its field."""
    if not isinstance(data, dict):
        raise ValidationError(_("随访内容格式不正确。"), code="invalid_data")
    fields = {f["key"]: f for f in fields_of(schema)}
    errors: dict[str, list[ValidationError]] = {}
    for key in data:
        if key not in fields:
            errors[key] = [ValidationError(_("表单中没有此项。"), code="unknown_field")]
    cleaned: dict[str, Any] = {}
    for key, f in fields.items():
        raw = data.get(key)
        if _empty(raw) and not (f["type"] == "bool" and raw is not None):
            if f.get("required"):
                errors[key] = [ValidationError(_("此项为必填项。"), code="required")]
            continue
        try:
            cleaned[key] = _clean_one(f, raw, visited_on=visited_on)
        except ValidationError as e:
            errors[key] = [e]
    if not errors:
        for c in checks_of(schema):
            a, b = cleaned.get(c["left"]), cleaned.get(c["right"])
            if a is None or b is None:
                continue
            if not CHECK_OPS[c["check"]](Decimal(str(a)), Decimal(str(b))):
                errors[c["left"]] = [
                    ValidationError(
                        c.get("message") or gettext("填写的数值相互矛盾。"), code="inconsistent"
                    )
                ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def display_value(f: dict[str, Any], value: Any) -> str:
    """How a stored answer reads on a page."""
    if value is None or value == "":
        return ""
    if f["type"] == "choice":
        return next((str(c[1]) for c in f["choices"] if str(c[0]) == str(value)), str(value))
    if f["type"] == "bool":
        return gettext("是") if value else gettext("否")
    unit = f.get("unit", "")
    return f"{value} {unit}".strip()
