"""决定内容: the facts an approval itself establishes, beyond "准予".

Some results are not in any register until the decision makes them so: a first 残疾人证 carries
the category and grade of the disability assessment the 残联 reviewer decides on, not anything
the 人口库 knows. Apps that act on an approval (certificates) register a provider saying which
fields a case's approval must or may carry; `decide()` checks them (`clean`), keeps them on the
case (`Case.decision_result`) and passes them on with `case_decided`. The case code knows no
app's fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TEXT, DATE, CHOICE = "text", "date", "choice"
MAX_LENGTH = 200


@dataclass(frozen=True)
class ResultField:
    name: str
    label: str
    kind: str = TEXT
    choices: tuple[str, ...] = ()
    required: bool = True
    initial: str = ""  # what the registers suggest (a renewal: the last certificate's value)


Provider = Callable[[Any], list[ResultField]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Register (or replace: `ready()` may run twice) a provider of result fields."""
    _providers[name] = provider


def fields_for(case) -> list[ResultField]:
    """The fields an approval of `case` carries, in the providers' order; a name offered twice
    is asked once."""
    seen: dict[str, ResultField] = {}
    for provider in _providers.values():
        for spec in provider(case):
            seen.setdefault(spec.name, spec)
    return list(seen.values())


def _error(message, code: str, spec: ResultField, **params) -> ValidationError:
    return ValidationError(
        {"result": ValidationError(message, code=code, params={"field": spec.label, **params})}
    )


def clean(case, given: Mapping[str, Any] | None) -> dict[str, str]:
    """The approval's result, checked against the case's fields: every required one present,
    a choice among its choices, a date in ISO form. Unknown names are refused, so a typo is
    not silently dropped."""
    given = {k: ("" if v is None else str(v).strip()) for k, v in (given or {}).items()}
    specs = {spec.name: spec for spec in fields_for(case)}
    unknown = sorted(set(given) - set(specs))
    if unknown:
        raise ValidationError(
            {
                "result": ValidationError(
                    _("决定内容中有本事项没有的项目：%(names)s。"),
                    code="result_unknown_field",
                    params={"names": "、".join(unknown)},
                )
            }
        )
    result: dict[str, str] = {}
    for spec in specs.values():
        value = given.get(spec.name, "")
        if not value:
            if spec.required:
                raise _error(_("请填写决定内容：%(field)s。"), "result_required", spec)
            continue
        if len(value) > MAX_LENGTH:
            raise _error(
                _("%(field)s不能超过%(max)s个字。"), "result_too_long", spec, max=MAX_LENGTH
            )
        if spec.kind == CHOICE and value not in spec.choices:
            raise _error(
                _("%(field)s应为以下之一：%(choices)s。"),
                "result_invalid_choice",
                spec,
                choices="、".join(spec.choices),
            )
        if spec.kind == DATE:
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                raise _error(
                    _("%(field)s应为日期（YYYY-MM-DD）。"), "result_invalid_date", spec
                ) from None
        result[spec.name] = value
    return result
