"""Creating, changing and reading people and households — each write audited in its own
transaction, each read of a record audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit, crypto
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.identifiers import normalize_mobile, parse_citizen_id
from bianmin.core.masking import mask_id_number, mask_phone
from bianmin.core.models import AuditAction
from bianmin.core.scope import current_scope
from bianmin.registry.models import (
    Division,
    DivisionLevel,
    Grid,
    Household,
    LifeStatus,
    Person,
    PersonTag,
    Relationship,
    ResidenceType,
    Tag,
)
from bianmin.registry.naming import initials


@dataclass(frozen=True, slots=True)
class IdentityFields:
    """What a validated ID number contributes to a Person row."""

    id_cipher: str
    id_hash: str
    id_masked: str
    id_last4: str
    birth_date: dt.date
    sex: str


def identity_fields(id_number: str, *, today: dt.date | None = None) -> IdentityFields:
    cid = parse_citizen_id(id_number, today=today)
    return IdentityFields(
        id_cipher=crypto.encrypt(cid.number),
        id_hash=crypto.lookup_hash(cid.number),
        id_masked=mask_id_number(cid.number),
        id_last4=cid.number[-4:],
        birth_date=cid.birth_date,
        sex=cid.sex,
    )


def hash_of(id_number: str) -> str:
    return crypto.lookup_hash(parse_citizen_id(id_number).number)


def resolve_division(code: str | None, *, field: str = "division") -> Division | None:
    if not code:
        return None
    from bianmin.registry.divisions_data import official_code, prefix_of

    try:
        official = official_code(prefix_of(str(code)))
    except ValueError:
        official = None
    division = Division.objects.filter(code=official).first() if official else None
    if division is None:
        raise ValidationError(
            {
                field: ValidationError(
                    _("行政区划代码“%(code)s”不存在。"),
                    code="unknown_division",
                    params={"code": code},
                )
            }
        )
    return division


def resolve_grid(code: str | None) -> Grid | None:
    if not code:
        return None
    grid = Grid.unscoped.select_related("community").filter(code=code).first()
    if grid is None:
        raise ValidationError(
            {
                "grid": ValidationError(
                    _("网格编码“%(code)s”不存在。"), code="unknown_grid", params={"code": code}
                )
            }
        )
    return grid


def area_code_for(
    grid: Grid | None, residence: Division | None, registered: Division | None
) -> str:
    if grid is not None:
        return grid.code
    if residence is not None:
        return residence.prefix
    if registered is not None:
        return registered.prefix
    return ""


def ensure_in_scope(area_code: str) -> None:
    """Refuse a write that would put a record outside the acting user's area."""
    scope = current_scope.get()
    if scope is not None and not scope.covers(area_code):
        raise OutOfScope(_("该人员的居住地或户籍地不在您的管辖范围内。"))


def _duplicate_id_error() -> ValidationError:
    return ValidationError(
        {
            "id_number": ValidationError(
                _("该身份证号码已登记在人口库中，请勿重复登记。"), code="duplicate_id_number"
            )
        }
    )


def person_label(person: Person) -> str:
    return f"{person.name} {person.id_masked}"


@transaction.atomic
def create_person(
    *,
    actor: Actor,
    id_number: str,
    name: str,
    phone: str,
    ethnicity: str = "",
    registered_division: str | None = None,
    registered_address: str = "",
    residence_division: str | None = None,
    grid: str | None = None,
    residence_address: str = "",
    residence_type: str = ResidenceType.REGISTERED,
    household: Household | None = None,
    relationship: str = "",
) -> Person:
    errors: dict[str, list[ValidationError]] = {}
    identity = None
    try:
        identity = identity_fields(id_number)
    except ValidationError as e:
        errors["id_number"] = e.error_list
    name = (name or "").strip()
    if not name or len(name) > 50:
        errors["name"] = [ValidationError(_("请填写姓名（不超过50个字）。"), code="name_required")]
    try:
        phone = normalize_mobile(phone)
    except ValidationError as e:
        errors["phone"] = e.error_list
    if residence_type not in ResidenceType.values:
        errors["residence_type"] = [ValidationError(_("人口类型无效。"), code="invalid_choice")]
    if relationship and relationship not in Relationship.values:
        errors["relationship"] = [ValidationError(_("与户主关系代码无效。"), code="invalid_choice")]
    places: dict[str, Any] = {}
    for key, resolver, value in (
        ("registered_division", resolve_division, registered_division),
        ("residence_division", resolve_division, residence_division),
    ):
        try:
            places[key] = resolver(value, field=key)
        except ValidationError as e:
            errors.update(e.error_dict)
    try:
        places["grid"] = resolve_grid(grid)
    except ValidationError as e:
        errors.update(e.error_dict)
    if errors:
        raise ValidationError(errors)
    g = places["grid"]
    residence = places["residence_division"] or (g.community if g else None)
    registered = places["registered_division"]
    if household is not None and registered is None:
        registered = household.division
    if residence is not None and residence.level != DivisionLevel.VILLAGE:
        raise ValidationError(
            {
                "residence_division": ValidationError(
                    _("现居住地应选择到村（社区）一级。"), code="division_level"
                )
            }
        )
    if g is not None and residence is not None and g.community_id != residence.code:
        raise ValidationError(
            {"grid": ValidationError(_("网格不属于所选村（社区）。"), code="grid_mismatch")}
        )
    area = area_code_for(g, residence, registered)
    if household is not None and not area:
        area = household.area_code
    ensure_in_scope(area)
    if Person.unscoped.filter(id_hash=identity.id_hash).exists():
        raise _duplicate_id_error()
    person = Person(
        id_cipher=identity.id_cipher,
        id_hash=identity.id_hash,
        id_masked=identity.id_masked,
        id_last4=identity.id_last4,
        birth_date=identity.birth_date,
        sex=identity.sex,
        name=name,
        name_initials=initials(name),
        ethnicity=ethnicity,
        phone=phone,
        registered_division=registered,
        registered_address=registered_address,
        residence_division=residence,
        grid=g,
        residence_address=residence_address,
        residence_type=residence_type,
        household=household,
        relationship=relationship,
        area_code=area,
    )
    try:
        with transaction.atomic():
            person.save(force_insert=True)
    except IntegrityError:  # lost a race with a concurrent registration of the same number
        raise _duplicate_id_error() from None
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="person",
        object_id=person.pk,
        object_label=person_label(person),
        changes={"name": name, "phone": mask_phone(phone), "area_code": area},
    )
    return person


def access_person(*, actor: Actor, person_id: int, purpose: str = "") -> Person:
    """Fetch one person for display, within scope, and audit the read."""
    # get(), not filter().first(): first() would add ORDER BY Meta.ordering to pick the one
    # row, and compiling that costs a third of the look-up's ORM time (bench/lookup.py).
    try:
        person = Person.objects.select_related(
            "household", "grid", "residence_division", "registered_division"
        ).get(pk=person_id)
    except Person.DoesNotExist:
        if Person.unscoped.filter(pk=person_id).exists():
            raise OutOfScope() from None
        raise Person.DoesNotExist from None
    audit.record(
        actor.with_purpose(purpose or actor.purpose),
        AuditAction.READ,
        object_type="person",
        object_id=person.pk,
        object_label=person_label(person),
    )
    return person


def lookup_person(*, actor: Actor, id_number: str, purpose: str = "") -> Person:
    """一号 look-up: find a person by the full ID number (15 or 18 digits), audited."""
    digest = hash_of(id_number)
    hit = Person.unscoped.filter(id_hash=digest).values_list("pk", flat=True).first()
    if hit is None:
        raise Person.DoesNotExist(_("人口库中没有该身份证号码的记录。"))
    return access_person(actor=actor, person_id=hit, purpose=purpose or "一号查询")


def reveal_id_number(*, actor: Actor, person: Person, purpose: str) -> str:
    """Show the whole number: only with a stated purpose, and always audited."""
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationError(
            {"purpose": ValidationError(_("查看完整证件号码须填写事由。"), code="purpose_required")}
        )
    if not Person.objects.filter(pk=person.pk).exists():
        raise OutOfScope()
    audit.record(
        actor.with_purpose(purpose),
        AuditAction.REVEAL,
        object_type="person",
        object_id=person.pk,
        object_label=person_label(person),
    )
    return crypto.decrypt(person.id_cipher)


_EDITABLE = {
    "name",
    "phone",
    "ethnicity",
    "registered_address",
    "residence_address",
    "residence_type",
    "relationship",
}


@transaction.atomic
def update_person(*, actor: Actor, person: Person, **changes: Any) -> Person:
    person = Person.objects.select_for_update().filter(pk=person.pk).first() or _out_of_scope()
    was = (person.grid_id, person.area_code, person.residence_address)
    unknown = set(changes) - _EDITABLE - {"grid", "residence_division"}
    if "id_number" in changes or "birth_date" in changes or "sex" in changes:
        raise ValidationError(
            _("身份证号码、出生日期和性别不能直接修改，请走更正程序。"), code="identity_immutable"
        )
    if unknown:
        raise ValidationError(
            _("不能修改字段：%(f)s"), code="unknown_field", params={"f": ", ".join(sorted(unknown))}
        )
    diff: dict[str, list[Any]] = {}
    if "phone" in changes:
        changes["phone"] = normalize_mobile(changes["phone"])
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise ValidationError(
                {"name": ValidationError(_("请填写姓名。"), code="name_required")}
            )
        person.name_initials = initials(changes["name"])
    if "residence_type" in changes and changes["residence_type"] not in ResidenceType.values:
        raise ValidationError(
            {"residence_type": ValidationError(_("人口类型无效。"), code="invalid_choice")}
        )
    if (
        "relationship" in changes
        and changes["relationship"]
        and (changes["relationship"] not in Relationship.values)
    ):
        raise ValidationError(
            {"relationship": ValidationError(_("与户主关系代码无效。"), code="invalid_choice")}
        )
    if "grid" in changes or "residence_division" in changes:
        grid_given = "grid" in changes
        g = resolve_grid(changes.pop("grid") or None) if grid_given else person.grid
        if "residence_division" in changes:
            residence = resolve_division(
                changes.pop("residence_division") or None, field="residence_division"
            )
        else:
            residence = g.community if g else person.residence_division
        if residence is not None and residence.level != DivisionLevel.VILLAGE:
            raise ValidationError(
                {
                    "residence_division": ValidationError(
                        _("现居住地应选择到村（社区）一级。"), code="division_level"
                    )
                }
            )
        if g is not None and residence is not None and g.community_id != residence.code:
            if grid_given:
                raise ValidationError(
                    {"grid": ValidationError(_("网格不属于所选村（社区）。"), code="grid_mismatch")}
                )
            g = None  # moved to another community: the old grid no longer applies
        area = area_code_for(g, residence, person.registered_division)
        ensure_in_scope(area)
        diff["area_code"] = [person.area_code, area]
        person.grid, person.residence_division, person.area_code = g, residence, area
    for key, value in changes.items():
        old = getattr(person, key)
        if old != value:
            shown = (mask_phone(old), mask_phone(value)) if key == "phone" else (old, value)
            diff[key] = list(shown)
            setattr(person, key, value)
    if diff:
        person.save()
        audit.record(
            actor,
            AuditAction.UPDATE,
            object_type="person",
            object_id=person.pk,
            object_label=person_label(person),
            changes=diff,
        )
    if person.life_status == LifeStatus.ALIVE and was[:2] != (person.grid_id, person.area_code):
        # A new grid or area is a move: the registers that depend on it follow (lifeevents.py).
        from bianmin.registry.services import lifeevents

        lifeevents.moved(actor=actor, person=person, was=was, source="窗口登记")
    return person


def _out_of_scope():
    raise OutOfScope()


@transaction.atomic
def set_life_status(
    *, actor: Actor, person: Person, status: str, date: dt.date, source: str
) -> Person:
    """Record a death or a move-out (through the life-event services, lifeevents.py), or a
    correction back to alive, with its date and source."""
    if status not in LifeStatus.values:
        raise ValidationError(
            {"status": ValidationError(_("人员状态无效。"), code="invalid_choice")}
        )
    if date > timezone.localdate():
        raise ValidationError(
            {"date": ValidationError(_("日期不能晚于今天。"), code="future_date")}
        )
    if date < person.birth_date:
        raise ValidationError(
            {"date": ValidationError(_("日期不能早于出生日期。"), code="before_birth")}
        )
    if not (source or "").strip():
        raise ValidationError(
            {"source": ValidationError(_("请填写信息来源。"), code="source_required")}
        )
    # A death or a move-out is a life event: told once, every register follows.
    from bianmin.registry.services import lifeevents

    if status == LifeStatus.DECEASED:
        told = lifeevents.record_death(actor=actor, person=person, died_on=date, source=source)
        return told.record.person
    if status == LifeStatus.MOVED_OUT:
        told = lifeevents.record_move_out(actor=actor, person=person, moved_on=date, source=source)
        return told.record.person
    person = Person.objects.select_for_update().filter(pk=person.pk).first() or _out_of_scope()
    old = person.life_status
    person.life_status, person.status_date, person.status_source = status, date, source.strip()
    person.save(update_fields=["life_status", "status_date", "status_source", "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        object_label=person_label(person),
        changes={"life_status": [old, status], "status_date": str(date), "source": source},
    )
    return person


@transaction.atomic
def tag_person(
    *, actor: Actor, person: Person, tag_code: str, since: dt.date | None = None, source: str = ""
) -> PersonTag:
    tag = Tag.objects.filter(pk=tag_code).first()
    if tag is None:
        raise ValidationError(
            {
                "tag": ValidationError(
                    _("标签“%(code)s”不存在。"), code="unknown_tag", params={"code": tag_code}
                )
            }
        )
    if tag.derived:
        raise ValidationError(
            {
                "tag": ValidationError(
                    _("年龄类标签由出生日期自动推算，不能手工添加。"), code="derived_tag"
                )
            }
        )
    if not Person.objects.filter(pk=person.pk).exists():
        raise OutOfScope()
    link, created = PersonTag.objects.get_or_create(
        person=person,
        tag=tag,
        defaults={"since": since, "source": source, "added_by_id": actor.user_id},
    )
    if created:
        audit.record(
            actor,
            AuditAction.UPDATE,
            object_type="person",
            object_id=person.pk,
            object_label=person_label(person),
            changes={"tag_added": tag.code},
        )
    return link


@transaction.atomic
def untag_person(*, actor: Actor, person: Person, tag_code: str) -> None:
    if not Person.objects.filter(pk=person.pk).exists():
        raise OutOfScope()
    deleted, _n = PersonTag.objects.filter(person=person, tag_id=tag_code).delete()
    if deleted:
        audit.record(
            actor,
            AuditAction.UPDATE,
            object_type="person",
            object_id=person.pk,
            object_label=person_label(person),
            changes={"tag_removed": tag_code},
        )


@transaction.atomic
def create_household(
    *,
    actor: Actor,
    number: str,
    division: str,
    address: str = "",
    grid: str | None = None,
    household_type: str = "family",
) -> Household:
    number = (number or "").strip()
    if not number.isalnum() or len(number) > 20:
        raise ValidationError(
            {
                "number": ValidationError(
                    _("户号应为不超过20位的字母或数字。"), code="household_number"
                )
            }
        )
    div = resolve_division(division)
    if div is None or div.level != DivisionLevel.VILLAGE:
        raise ValidationError(
            {
                "division": ValidationError(
                    _("户籍地应选择到村（社区）一级。"), code="division_level"
                )
            }
        )
    g = resolve_grid(grid)
    if g is not None and g.community_id != div.code:
        raise ValidationError(
            {"grid": ValidationError(_("网格不属于所选村（社区）。"), code="grid_mismatch")}
        )
    area = g.code if g else div.prefix
    ensure_in_scope(area)
    if Household.unscoped.filter(number=number).exists():
        raise ValidationError(
            {
                "number": ValidationError(
                    _("户号“%(n)s”已存在。"), code="duplicate_household", params={"n": number}
                )
            }
        )
    household = Household.objects.create(
        number=number,
        division=div,
        grid=g,
        address=address,
        area_code=area,
        household_type=household_type,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="household",
        object_id=household.pk,
        object_label=number,
        changes={"division": div.code, "address": address},
    )
    return household


@transaction.atomic
def add_member(*, actor: Actor, household: Household, person: Person, relationship: str) -> Person:
    if relationship not in Relationship.values:
        raise ValidationError(
            {"relationship": ValidationError(_("与户主关系代码无效。"), code="invalid_choice")}
        )
    household = (
        Household.objects.select_for_update().filter(pk=household.pk).first() or _out_of_scope()
    )
    if (
        relationship == Relationship.HEAD
        and household.members.filter(relationship=Relationship.HEAD).exclude(pk=person.pk).exists()
    ):
        raise ValidationError(
            {"relationship": ValidationError(_("该户已有户主。"), code="duplicate_head")}
        )
    person = Person.objects.select_for_update().filter(pk=person.pk).first() or _out_of_scope()
    old = person.household_id
    person.household, person.relationship = household, relationship
    person.save(update_fields=["household", "relationship", "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="household",
        object_id=household.pk,
        object_label=household.number,
        changes={"member": person.id_masked, "relationship": relationship, "from_household": old},
    )
    return person


def access_household(*, actor: Actor, household_id: int) -> Household:
    household = Household.objects.select_related("division", "grid").filter(pk=household_id).first()
    if household is None:
        if Household.unscoped.filter(pk=household_id).exists():
            raise OutOfScope()
        raise Household.DoesNotExist
    audit.record(
        actor,
        AuditAction.READ,
        object_type="household",
        object_id=household.pk,
        object_label=household.number,
    )
    return household
