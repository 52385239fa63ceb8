"""Hand-entered values: checked against their column (type, range, choices) and kept in one
normal form, so "12", " 12 " and "１２" are stored once as "12"."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from bianmin.ledger.models import ValueType
from bianmin.ledger.services.common import error


def normalise(column: dict[str, Any], raw: Any) -> str:
    """The stored text for `raw` in `column`, "" for an empty cell; ValidationError if bad."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip()
    if text == "":
        return ""
    label = column["label"]
    value_type = column.get("type")
    if value_type == ValueType.TEXT:
        if len(text) > 500:
            raise error("text_too_long", column=label)
        return text
    if value_type == ValueType.CHOICE:
        choices = column.get("choices") or []
        if text not in choices:
            raise error("not_a_choice", column=label, choices="、".join(choices))
        return text
    cleaned = text.replace(",", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        code = "not_integer" if value_type == ValueType.INT else "not_decimal"
        raise error(code, column=label, value=text) from None
    if not number.is_finite():
        raise error("not_decimal", column=label, value=text)
    if value_type == ValueType.INT:
        if number != number.to_integral_value():
            raise error("not_integer", column=label, value=text)
        number = number.quantize(Decimal(1))
    else:
        decimals = int(column.get("decimals", 2))
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > decimals:
            raise error("too_many_decimals", column=label, decimals=decimals)
    if column.get("min") is not None and number < Decimal(column["min"]):
        raise error("below_min", column=label, min=column["min"], value=text)
    if column.get("max") is not None and number > Decimal(column["max"]):
        raise error("above_max", column=label, max=column["max"], value=text)
    return str(number)


def as_number(column: dict[str, Any], stored: str) -> Decimal | str | None:
    """A stored value as what it is: a number for int/decimal columns, else the text."""
    if stored in ("", None):
        return None
    if column.get("type") in (ValueType.INT, ValueType.DECIMAL):
        return Decimal(stored)
    return stored
