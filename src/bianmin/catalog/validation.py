"""The rules an item must satisfy before it is written: one function, `clean_item`, used by
create and revise, so a version can never be written that the other path would refuse.

It returns the item in a plain, comparable form (`CleanItem`): department and tags as codes,
materials and steps as lists of dicts with every key present. Revising compares that form
with the current version's to refuse an edit that changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.fields import (
    DEFAULTS,
    EDITABLE,
    ITEM_FIELDS,
    LEVEL_ORDER,
    MATERIAL_CODE_RE,
    MATERIAL_DEFAULTS,
    STEP_DEFAULTS,
)
from bianmin.catalog.models import (
    ApplicantKind,
    ItemType,
    MaterialForm,
    MaterialRequirement,
    StepKind,
)
from bianmin.catalog.sources import CERTIFICATE_TYPES, SHARED_SOURCES
from bianmin.registry.models import Department, Tag

_TEXT_LIMITS = {"name": 120, "fee_basis": 300, "place": 300, "hours": 200}


@dataclass
class CleanItem:
    fields: dict[str, Any]
    materials: list[dict[str, Any]]
    steps: list[dict[str, Any]]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CleanItem) and (
            (self.fields, self.materials, self.steps)
            == (other.fields, other.materials, other.steps)
        )


class _Errors:
    """Collects every problem so the form shows them all at once (一次性告知, for staff too)."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: Any, error_code: str, /, **params: Any) -> None:
        error = ValidationError(message, code=error_code, params=params or None)
        self.by_field.setdefault(field, []).append(error)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _department_code(value: Any) -> str:
    return value.pk if isinstance(value, Department) else _text(value)


def clean_item(
    data: Mapping[str, Any],
    materials: Sequence[Mapping[str, Any]],
    steps: Sequence[Mapping[str, Any]],
) -> CleanItem:
    unknown = set(data) - set(EDITABLE)
    if unknown:
        # A caller's typo, not an applicant's: fail loudly instead of ignoring the field.
        raise TypeError(f"unknown service item fields: {sorted(unknown)}")
    errors = _Errors()
    raw = {**DEFAULTS, **data}
    f: dict[str, Any] = {}
    departments = set(Department.objects.values_list("code", flat=True))

    for name in ITEM_FIELDS:
        value = raw.get(name)
        f[name] = _text(value) if isinstance(value, str) or value is None else value
    for name, limit in _TEXT_LIMITS.items():
        if len(f[name] or "") > limit:
            errors.add(name, _("内容过长，最多 %(limit)s 个字。"), "too_long", limit=limit)
    if not f["name"]:
        errors.add("name", _("请填写事项名称。"), "name_required")
    if f["item_type"] not in ItemType.values:
        errors.add(
            "item_type", _("未知的事项类型“%(value)s”。"), "item_type_unknown", value=f["item_type"]
        )
    if f["applicant_kind"] not in ApplicantKind.values:
        errors.add(
            "applicant_kind",
            _("未知的服务对象“%(value)s”。"),
            "applicant_kind_unknown",
            value=f["applicant_kind"],
        )
    if not f["legal_basis"]:
        errors.add(
            "legal_basis",
            _("请填写设定依据（法律、法规、规章或规范性文件及条款）。"),
            "legal_basis_required",
        )
    f["department"] = _department_code(raw.get("department"))
    if f["department"] not in departments:
        errors.add(
            "department",
            _("未知的实施部门“%(value)s”。"),
            "department_unknown",
            value=f["department"] or "—",
        )
    f["accept_levels"] = _clean_levels(raw.get("accept_levels"), errors)
    _clean_limits(f, errors)
    _clean_money(f, errors)
    f["online"] = bool(f["online"])
    f["allows_deficiency"] = bool(f["allows_deficiency"])
    if f["max_visits"] == 0 and not f["online"]:
        errors.add("max_visits", _("零跑动（到现场 0 次）的事项必须可以网上办理。"), "zero_visits")
    if f["result_certificate_type"] and f["result_certificate_type"] not in CERTIFICATE_TYPES:
        errors.add(
            "result_certificate_type",
            _("未知的结果证照类型“%(value)s”。"),
            "certificate_type_unknown",
            value=f["result_certificate_type"],
        )
    f["eligible_tags"] = _clean_tags(raw.get("eligible_tags"), errors)

    clean_materials = _clean_materials(materials, errors)
    if not clean_materials and f["item_type"] == ItemType.LICENSING:
        errors.add("materials", _("行政许可事项必须列明申请材料。"), "materials_required")
    if f["allows_deficiency"] and not any(not m["essential"] for m in clean_materials):
        errors.add(
            "allows_deficiency",
            _("可容缺受理的事项须至少有一项非关键材料（关键材料缺失不能容缺受理）。"),
            "deficiency_without_optional_material",
        )
    clean_steps = _clean_steps(steps, departments, errors)
    _check_step_time(clean_steps, f.get("promised_limit_days"), errors)
    errors.raise_if_any()
    return CleanItem(f, clean_materials, clean_steps)


def _clean_levels(value: Any, errors: _Errors) -> list[str]:
    levels = [_text(v) for v in (value or [])]
    if not levels:
        errors.add("accept_levels", _("请至少选择一个可受理层级。"), "accept_levels_required")
    for level in levels:
        if level not in LEVEL_ORDER:
            errors.add(
                "accept_levels",
                _("未知的受理层级“%(value)s”（可选：市级、区级、街道（乡镇）、村（社区））。"),
                "accept_level_unknown",
                value=level,
            )
    # Stored in a fixed order (city first) so equal sets compare equal.
    return sorted({v for v in levels if v in LEVEL_ORDER}, key=LEVEL_ORDER.index)


def _clean_limits(f: dict[str, Any], errors: _Errors) -> None:
    for name in ("statutory_limit_days", "promised_limit_days", "max_visits"):
        number = _int(f[name])
        if number is None or number < 0 or number > 32767:
            errors.add(name, _("请填写不小于 0 的整数。"), "not_a_count")
        f[name] = number
    statutory, promised = f["statutory_limit_days"], f["promised_limit_days"]
    if statutory is not None and promised is not None and promised > statutory:
        errors.add(
            "promised_limit_days",
            _(
                "承诺办结时限（%(promised)s 个工作日）"
                "不能超过法定办结时限（%(statutory)s 个工作日）。"
            ),
            "promised_exceeds_statutory",
            promised=promised,
            statutory=statutory,
        )
    if f["eligible_min_age"] not in (None, ""):
        age = _int(f["eligible_min_age"])
        if age is None or not 0 <= age <= 150:
            errors.add("eligible_min_age", _("适用年龄须为 0 到 150 之间的整数。"), "age_invalid")
        f["eligible_min_age"] = age
    else:
        f["eligible_min_age"] = None


def _clean_money(f: dict[str, Any], errors: _Errors) -> None:
    try:
        fee = Decimal(str(f["fee"] if f["fee"] not in (None, "") else "0"))
    except InvalidOperation:
        fee = None
    if fee is None or fee < 0 or fee >= Decimal("1e8"):
        errors.add("fee", _("收费标准须为不小于 0 的金额（元）。"), "fee_invalid")
        f["fee"] = Decimal("0")
        return
    f["fee"] = fee.quantize(Decimal("0.01"))
    if fee > 0 and not f["fee_basis"]:
        errors.add("fee_basis", _("收费事项须写明收费依据。"), "fee_basis_required")


def _clean_tags(value: Any, errors: _Errors) -> list[str]:
    codes = sorted({t.pk if isinstance(t, Tag) else _text(t) for t in (value or [])})
    known = set(Tag.objects.filter(pk__in=codes).values_list("code", flat=True))
    for code in codes:
        if code not in known:
            errors.add(
                "eligible_tags", _("未知的重点人群标签“%(value)s”。"), "tag_unknown", value=code
            )
    return [c for c in codes if c in known]


def _clean_materials(rows: Sequence[Mapping[str, Any]], errors: _Errors) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        m = {**MATERIAL_DEFAULTS, **row}
        for key in ("code", "name", "condition", "source_note", "shared_source"):
            m[key] = _text(m[key])
        m["sample"], m["common_mistakes"] = _text(m["sample"]), _text(m["common_mistakes"])
        m["essential"] = bool(m["essential"])
        if not m["name"]:
            errors.add("materials", _("第 %(n)s 项材料：请填写材料名称。"), "material_name", n=n)
        if not MATERIAL_CODE_RE.match(m["code"]):
            errors.add(
                "materials",
                _("第 %(n)s 项材料：材料代码只能由小写字母、数字、连字符组成。"),
                "material_code_invalid",
                n=n,
            )
        elif m["code"] in seen:
            errors.add(
                "materials",
                _("第 %(n)s 项材料：材料代码“%(code)s”重复。"),
                "duplicate_material_code",
                n=n,
                code=m["code"],
            )
        seen.add(m["code"])
        if m["form"] not in MaterialForm.values:
            errors.add("materials", _("第 %(n)s 项材料：未知的材料形式。"), "material_form", n=n)
        if m["requirement"] not in MaterialRequirement.values:
            errors.add(
                "materials", _("第 %(n)s 项材料：未知的必要性。"), "material_requirement", n=n
            )
        elif m["requirement"] == MaterialRequirement.CONDITIONAL and not m["condition"]:
            errors.add(
                "materials",
                _("第 %(n)s 项材料为“情形必要”，请写明在什么情形下需要。"),
                "condition_required",
                n=n,
            )
        copies = _int(m["copies"])
        if copies is None or not 1 <= copies <= 99:
            errors.add("materials", _("第 %(n)s 项材料：份数须为 1 到 99。"), "copies", n=n)
        m["copies"] = copies
        if m["shared_source"] and m["shared_source"] not in SHARED_SOURCES:
            errors.add(
                "materials",
                _("第 %(n)s 项材料：未知的共享数据或电子证照类型“%(value)s”。"),
                "shared_source_unknown",
                n=n,
                value=m["shared_source"],
            )
        out.append({k: m[k] for k in MATERIAL_DEFAULTS})
    return out


def _clean_steps(
    rows: Sequence[Mapping[str, Any]], departments: set[str], errors: _Errors
) -> list[dict[str, Any]]:
    if not rows:
        errors.add("steps", _("请至少列出一个办理环节。"), "steps_required")
        return []
    out: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=1):
        s = {**STEP_DEFAULTS, **row}
        s["name"] = _text(s["name"])
        s["department"] = _department_code(s["department"])
        if not s["name"]:
            errors.add("steps", _("第 %(n)s 个环节：请填写环节名称。"), "step_name", n=n)
        if s["kind"] not in StepKind.values:
            errors.add("steps", _("第 %(n)s 个环节：未知的环节类型。"), "step_kind", n=n)
        if s["department"] not in departments:
            errors.add(
                "steps",
                _("第 %(n)s 个环节：未知的承办部门“%(value)s”。"),
                "step_department_unknown",
                n=n,
                value=s["department"] or "—",
            )
        group, limit = _int(s["parallel_group"]), _int(s["limit_days"])
        if group is None or not 1 <= group <= 99:
            errors.add("steps", _("第 %(n)s 个环节：并联组须为 1 到 99。"), "step_group", n=n)
        if limit is None or not 0 <= limit <= 999:
            errors.add("steps", _("第 %(n)s 个环节：环节时限须为 0 到 999。"), "step_limit", n=n)
        s["parallel_group"], s["limit_days"] = group, limit
        out.append({k: s[k] for k in STEP_DEFAULTS})
    groups = {s["parallel_group"] for s in out if s["parallel_group"]}
    for missing in sorted(set(range(1, max(groups, default=0) + 1)) - groups):
        errors.add(
            "steps",
            _("第 %(group)s 组没有办理环节：并联组须从 1 起连续编号。"),
            "empty_step_group",
            group=missing,
        )
    # Steps are stored in the order they run: by group, then as listed.
    return sorted(out, key=lambda s: s["parallel_group"] or 0)


def step_days(steps: Sequence[Mapping[str, Any]]) -> int:
    """Working days the process needs: groups run one after another, the steps inside a
    group side by side, so a group costs as much as its longest step."""
    longest: dict[int, int] = {}
    for s in steps:
        g = s["parallel_group"]
        longest[g] = max(longest.get(g, 0), s["limit_days"] or 0)
    return sum(longest.values())


def _check_step_time(steps: list[dict[str, Any]], promised: Any, errors: _Errors) -> None:
    if not isinstance(promised, int) or any(
        not isinstance(s["limit_days"], int) or not isinstance(s["parallel_group"], int)
        for s in steps
    ):
        return
    total = step_days(steps)
    if total > promised:
        errors.add(
            "steps",
            _(
                "各环节时限合计 %(total)s 个工作日（并联环节按最长的计），"
                "超过了承诺办结时限 %(promised)s 个工作日。"
            ),
            "steps_exceed_promised",
            total=total,
            promised=promised,
        )
