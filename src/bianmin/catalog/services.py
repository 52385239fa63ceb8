"""Writes to the service catalogue. Every change is a new version, in one transaction, audited.

A case keeps pointing at the `ServiceItem` row it was filed under, so an item is never edited
in place: `revise_item` writes version n+1 (copying the materials and steps it was not given)
and retires version n. The partial unique constraint `one_current_item_version` guarantees at
most one current version per code, even if two administrators save at the same moment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.fields import CODE_RE, EDITABLE, ITEM_FIELDS, MATERIAL_DEFAULTS, STEP_DEFAULTS
from bianmin.catalog.models import Bundle, Material, ProcessStep, ServiceItem
from bianmin.catalog.validation import CleanItem, clean_item
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction

ITEM_NOT_FOUND = _("没有该服务事项，或该事项没有现行版本。")
BUNDLE_NOT_FOUND = _("没有该多证联办事项。")


def _one(field: str, message: Any, error_code: str, /, **params: Any) -> ValidationError:
    error = ValidationError(message, code=error_code, params=params or None)
    return ValidationError({field: error})


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if not code:
        raise _one("code", _("请填写事项编码。"), "code_required")
    if not CODE_RE.match(code):
        raise _one(
            "code",
            _("事项编码只能由字母、数字、连字符和下划线组成，最长 40 位。"),
            "code_invalid",
        )
    return code


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise _one("note", _("请填写修订说明（改了什么、为什么改）。"), "note_required")
    if len(note) > 300:
        raise _one("note", _("修订说明最多 300 个字。"), "note_too_long")
    return note


def snapshot(item: ServiceItem) -> CleanItem:
    """A stored version in the form `clean_item` returns, for comparison and copying."""
    fields: dict[str, Any] = {name: getattr(item, name) for name in ITEM_FIELDS}
    fields["department"] = item.department_id
    fields["eligible_tags"] = sorted(t.pk for t in item.eligible_tags.all())
    materials = [{k: getattr(m, k) for k in MATERIAL_DEFAULTS} for m in item.materials.all()]
    steps = [
        {**{k: getattr(s, k) for k in STEP_DEFAULTS}, "department": s.department_id}
        for s in item.steps.all()
    ]
    return CleanItem(fields, materials, steps)


def _write(*, code: str, version: int, clean: CleanItem, actor: Actor, note: str) -> ServiceItem:
    values = {k: v for k, v in clean.fields.items() if k not in {"department", "eligible_tags"}}
    item = ServiceItem(
        code=code,
        version=version,
        is_current=True,
        department_id=clean.fields["department"],
        change_note=note,
        created_by_id=actor.user_id,
        **values,
    )
    try:
        with transaction.atomic():
            item.save(force_insert=True)
    except IntegrityError:
        # Someone else wrote this version (or a first version of this code) meanwhile.
        raise _one(
            "code",
            _("事项“%(code)s”刚被其他人修改，请刷新后重试。"),
            "concurrent_revision",
            code=code,
        ) from None
    item.eligible_tags.set(clean.fields["eligible_tags"])
    Material.objects.bulk_create(
        Material(item=item, seq=n, **m) for n, m in enumerate(clean.materials, start=1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            item=item,
            seq=n,
            department_id=s["department"],
            **{k: v for k, v in s.items() if k != "department"},
        )
        for n, s in enumerate(clean.steps, start=1)
    )
    return item


@transaction.atomic
def create_item(
    *,
    actor: Actor,
    code: str,
    materials: Sequence[Mapping[str, Any]] = (),
    steps: Sequence[Mapping[str, Any]] = (),
    note: str = "",
    **fields: Any,
) -> ServiceItem:
    """Version 1 of a new item. `fields` are the item's own fields (`validation.EDITABLE`;
    department as its code, eligible_tags as tag codes); materials and steps are lists of
    dicts in the order they are listed (steps: `parallel_group` decides what runs together)."""
    code = _check_code(code)
    clean = clean_item(fields, materials, steps)
    if ServiceItem.objects.filter(code=code).exists():
        raise _one(
            "code",
            _("事项编码“%(code)s”已存在；修改现有事项请使用“修订”。"),
            "duplicate_item_code",
            code=code,
        )
    item = _write(code=code, version=1, clean=clean, actor=actor, note=(note or "").strip())
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="service_item",
        object_id=code,
        object_label=f"{item.name} v1",
        changes={"version": 1, "materials": len(clean.materials), "steps": len(clean.steps)},
    )
    return item


@transaction.atomic
def revise_item(
    *,
    actor: Actor,
    code: str,
    changes: Mapping[str, Any],
    materials: Sequence[Mapping[str, Any]] | None = None,
    steps: Sequence[Mapping[str, Any]] | None = None,
    note: str,
) -> ServiceItem:
    """Write the next version of an item and retire the current one.

    `changes` holds only the fields that change; `materials` / `steps`, when given, replace
    the whole list (otherwise the current version's are copied)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown service item fields: {sorted(unknown)}")
    current = (
        ServiceItem.objects.select_for_update()
        .filter(code=(code or "").strip(), is_current=True)
        .first()
    )
    if current is None:
        raise ServiceItem.DoesNotExist(ITEM_NOT_FOUND)
    before = snapshot(current)
    clean = clean_item(
        {**before.fields, **changes},
        before.materials if materials is None else materials,
        before.steps if steps is None else steps,
    )
    note = _check_note(note)
    if clean == before:
        raise ValidationError(_("没有任何修改，未生成新版本。"), code="no_changes")
    # Retire first: the partial unique index allows only one current row per code.
    ServiceItem.objects.filter(pk=current.pk).update(is_current=False)
    item = _write(
        code=current.code, version=current.version + 1, clean=clean, actor=actor, note=note
    )
    diff = {
        k: [_plain(before.fields[k]), _plain(clean.fields[k])]
        for k in clean.fields
        if clean.fields[k] != before.fields[k]
    }
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="service_item",
        object_id=current.code,
        object_label=f"{item.name} v{item.version}",
        changes={
            "version": [current.version, item.version],
            "fields": diff,
            "materials_changed": clean.materials != before.materials,
            "steps_changed": clean.steps != before.steps,
            "note": note,
        },
    )
    return item


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, bool, list, type(None))) else str(value)


# --- 多证联办 -------------------------------------------------------------------------------


def _clean_bundle(name: str, item_codes: Sequence[str]) -> tuple[str, list[str]]:
    errors: dict[str, list[ValidationError]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [ValidationError(_("请填写联办事项名称。"), code="name_required")]
    codes = [(c or "").strip() for c in item_codes]
    problems: list[ValidationError] = []
    if len(set(codes)) != len(codes):
        problems.append(ValidationError(_("同一事项不能重复加入。"), code="bundle_item_duplicate"))
    if len(set(codes)) < 2:
        problems.append(
            ValidationError(_("多证联办须至少包含两个事项。"), code="bundle_too_few_items")
        )
    current = set(
        ServiceItem.objects.filter(code__in=codes, is_current=True).values_list("code", flat=True)
    )
    for code in dict.fromkeys(codes):
        if code not in current:
            problems.append(
                ValidationError(
                    _("事项“%(code)s”不存在或没有现行版本。"),
                    code="bundle_item_unknown",
                    params={"code": code or "—"},
                )
            )
    if problems:
        errors["item_codes"] = problems
    if errors:
        raise ValidationError(errors)
    return name, codes


@transaction.atomic
def create_bundle(
    *, actor: Actor, code: str, name: str, item_codes: Sequence[str], description: str = ""
) -> Bundle:
    code = _check_code(code)
    name, codes = _clean_bundle(name, item_codes)
    if Bundle.objects.filter(code=code).exists():
        raise _one("code", _("联办编码“%(code)s”已存在。"), "duplicate_bundle_code", code=code)
    bundle = Bundle.objects.create(
        code=code, name=name, item_codes=codes, description=(description or "").strip()
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="bundle",
        object_id=code,
        object_label=name,
        changes={"item_codes": codes},
    )
    return bundle


_BUNDLE_FIELDS = {"name", "description", "item_codes", "is_active"}


@transaction.atomic
def revise_bundle(*, actor: Actor, code: str, changes: Mapping[str, Any]) -> Bundle:
    """Bundles are not versioned: a case records the item versions it was filed under, and a
    bundle only says which items are applied for together."""
    unknown = set(changes) - _BUNDLE_FIELDS
    if unknown:
        raise TypeError(f"unknown bundle fields: {sorted(unknown)}")
    bundle = Bundle.objects.select_for_update().filter(code=code).first()
    if bundle is None:
        raise Bundle.DoesNotExist(BUNDLE_NOT_FOUND)
    name, codes = _clean_bundle(
        changes.get("name", bundle.name), changes.get("item_codes", bundle.item_codes)
    )
    new = {
        "name": name,
        "item_codes": codes,
        "description": (changes.get("description", bundle.description) or "").strip(),
        "is_active": bool(changes.get("is_active", bundle.is_active)),
    }
    diff = {k: [getattr(bundle, k), v] for k, v in new.items() if getattr(bundle, k) != v}
    if not diff:
        raise ValidationError(_("没有任何修改。"), code="no_changes")
    for k, v in new.items():
        setattr(bundle, k, v)
    bundle.save(update_fields=list(new))
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="bundle",
        object_id=code,
        object_label=name,
        changes=diff,
    )
    return bundle
