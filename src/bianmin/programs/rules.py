"""Eligibility rules: declarative JSON over registry data, turned into one `Q` on `Person`.

A rule (every key optional):

    {"min_age": 65, "max_age": null,           # years; min inclusive, max exclusive
     "sex": "F",
     "tags_all": ["age-80", "left-behind-elder"], "tags_any": ["dibao", "tekun"],
     "conditions": [{"name": "diagnosis", "args": {"codes": ["I10"]}}],
     "residence_types": ["registered", "resident"],
     "living_only": true}                       # default true: 正常 life status only

Because a rule is a `Q`, the same rule decides one person (enrolment), sweeps a whole area
(auto-enrolment) and counts the eligible (coverage) in SQL. Other apps contribute conditions
(health: diagnoses) with `register_condition(name, func, label=…)`, where
`func(**args) -> Q` is a filter on Person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.registry.models import LifeStatus, Person, PersonTag, ResidenceType, Sex, Tag
from bianmin.registry.queries import age_between

ConditionFunc = Callable[..., Q]


@dataclass(frozen=True)
class Condition:
    name: str
    func: ConditionFunc
    label: str


_CONDITIONS: dict[str, Condition] = {}

RULE_KEYS = {
    "min_age",
    "max_age",
    "sex",
    "tags_all",
    "tags_any",
    "conditions",
    "residence_types",
    "living_only",
}


def register_condition(name: str, func: ConditionFunc, *, label: str = "") -> None:
    """Make `{"name": name, "args": {...}}` usable in rules: `func(**args)` returns a Q over
    Person (it may raise ValidationError for bad args). Re-registering replaces."""
    _CONDITIONS[name] = Condition(name, func, label or name)


def conditions() -> dict[str, Condition]:
    return dict(_CONDITIONS)


def _bad(message, code: str) -> ValidationError:
    return ValidationError({"eligibility": ValidationError(message, code=code)})


def validate_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """The rule, checked: known keys, sane ages, existing tags, registered conditions."""
    if not isinstance(rule, dict):
        raise _bad(_("纳入条件格式不正确。"), "invalid_rule")
    unknown = set(rule) - RULE_KEYS
    if unknown:
        raise _bad(
            _("纳入条件含未知项：%(keys)s。") % {"keys": "、".join(sorted(unknown))},
            "unknown_rule_key",
        )
    for key in ("min_age", "max_age"):
        v = rule.get(key)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 150):
            raise _bad(_("年龄条件应为0至150之间的整数。"), "invalid_age")
    lo, hi = rule.get("min_age"), rule.get("max_age")
    if lo is not None and hi is not None and lo >= hi:
        raise _bad(_("起始年龄应小于截止年龄。"), "invalid_age")
    if rule.get("sex") not in (None, *Sex.values):
        raise _bad(_("性别条件无效。"), "invalid_sex")
    for key in ("tags_all", "tags_any"):
        codes = rule.get(key) or []
        if not isinstance(codes, list):
            raise _bad(_("标签条件应为列表。"), "invalid_tags")
        missing = set(codes) - set(Tag.objects.filter(code__in=codes).values_list("pk", flat=True))
        if missing:
            raise _bad(
                _("标签不存在：%(codes)s。") % {"codes": "、".join(sorted(missing))},
                "unknown_tag",
            )
    for rt in rule.get("residence_types") or []:
        if rt not in ResidenceType.values:
            raise _bad(_("人口类型条件无效。"), "invalid_residence_type")
    for cond in rule.get("conditions") or []:
        if not isinstance(cond, dict) or cond.get("name") not in _CONDITIONS:
            name = cond.get("name") if isinstance(cond, dict) else cond
            raise _bad(_("未注册的条件：%(name)s。") % {"name": name}, "unknown_condition")
        _CONDITIONS[cond["name"]].func(**(cond.get("args") or {}))  # args checked by provider
    return rule


def _tag_q(codes: list[str], *, on: dt.date) -> list[Q]:
    """One Q per tag: derived (age) tags by birth date, others by an attached PersonTag."""
    tags = {t.code: t for t in Tag.objects.filter(code__in=codes)}
    out = []
    for code in codes:
        tag = tags.get(code)
        if tag is not None and tag.derived:
            out.append(age_between(tag.min_age, tag.max_age, today=on))
        else:
            out.append(Q(Exists(PersonTag.objects.filter(person=OuterRef("pk"), tag_id=code))))
    return out


def clauses(rule: dict[str, Any], *, on: dt.date | None = None) -> list[tuple[str, Q]]:
    """[(description, Q)] — each part of the rule on its own, so a refusal can say which
    part failed."""
    on = on or timezone.localdate()
    parts: list[tuple[str, Q]] = []
    if rule.get("living_only", True):
        parts.append((str(_("在世且未迁出")), Q(life_status=LifeStatus.ALIVE)))
    lo, hi = rule.get("min_age"), rule.get("max_age")
    if lo is not None or hi is not None:
        if hi is None:
            label = _("年龄%(min)s岁及以上") % {"min": lo}
        elif lo is None:
            label = _("年龄未满%(max)s岁") % {"max": hi}
        else:
            label = _("年龄%(min)s岁至未满%(max)s岁") % {"min": lo, "max": hi}
        parts.append((str(label), age_between(lo, hi, today=on)))
    if rule.get("sex"):
        parts.append(
            (str(_("性别：%(sex)s") % {"sex": Sex(rule["sex"]).label}), Q(sex=rule["sex"]))
        )
    if rule.get("residence_types"):
        labels = "、".join(str(ResidenceType(v).label) for v in rule["residence_types"])
        parts.append(
            (
                str(_("人口类型：%(types)s") % {"types": labels}),
                Q(residence_type__in=rule["residence_types"]),
            )
        )
    names = dict(
        Tag.objects.filter(
            code__in=[*rule.get("tags_all", []), *rule.get("tags_any", [])]
        ).values_list("code", "name")
    )
    for code, q in zip(
        rule.get("tags_all") or [], _tag_q(rule.get("tags_all") or [], on=on), strict=True
    ):
        parts.append((str(_("标签：%(tag)s") % {"tag": names.get(code, code)}), q))
    if rule.get("tags_any"):
        any_q = Q()
        for q in _tag_q(rule["tags_any"], on=on):
            any_q |= q
        labels = "、".join(names.get(c, c) for c in rule["tags_any"])
        parts.append((str(_("标签之一：%(tags)s") % {"tags": labels}), any_q))
    for cond in rule.get("conditions") or []:
        c = _CONDITIONS.get(cond.get("name"))
        if c is None:
            # A rule naming a provider that is gone matches nobody rather than everybody.
            parts.append((str(cond.get("name")), Q(pk__in=[])))
            continue
        parts.append((str(c.label), c.func(**(cond.get("args") or {}))))
    return parts


def rule_q(rule: dict[str, Any], *, on: dt.date | None = None) -> Q:
    q = Q()
    for _label, part in clauses(rule, on=on):
        q &= part
    return q


def eligible_people(rule: dict[str, Any], *, on: dt.date | None = None, manager=None):
    """People the rule selects (through `manager`, default the scoped Person.objects)."""
    return (manager or Person.objects).filter(rule_q(rule, on=on))


def unmet(rule: dict[str, Any], person: Person, *, on: dt.date | None = None) -> list[str]:
    """Descriptions of the parts of the rule `person` does not meet ([] = eligible)."""
    return [
        label
        for label, q in clauses(rule, on=on)
        if not Person.unscoped.filter(pk=person.pk).filter(q).exists()
    ]
