"""Excel exports of the registers and of the audit log: which columns, and one audit entry per
export (how many rows, with which filters).

Each function takes the already-filtered (and, through the scoped managers, already-scoped)
query set, so an export is exactly the list the user was looking at. Only masked personal
numbers are written.
"""

from __future__ import annotations

from typing import IO, Any

from django.db.models import Func, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.core.excel import Column, audited_export, given
from bianmin.core.models import AuditEntry
from bianmin.registry.models import Household, Organisation, Person, PersonTag, Relationship, Tag
from bianmin.registry.queries import derived_tags_for

_CHUNK = 1000


def people_with_tags(people: QuerySet[Person], tags: list[Tag]) -> QuerySet[Person]:
    """Attach the stored tags the user may see, in one query per chunk (no N+1)."""
    stored = [t.pk for t in tags if not t.derived]
    links = PersonTag.objects.filter(tag_id__in=stored).select_related("tag")
    return people.prefetch_related(Prefetch("tag_links", queryset=links, to_attr="shown_links"))


def _narrowest(derived: list[Tag]) -> list[Tag]:
    """Of nested age bands (60+, 65+, 80+) keep the narrowest: an 85-year-old reads 80+."""

    def span(t: Tag) -> tuple[int, float]:
        return (t.min_age or 0, t.max_age if t.max_age is not None else float("inf"))

    return [
        t
        for t in derived
        if not any(
            u is not t
            and span(t)[0] <= span(u)[0]
            and span(u)[1] <= span(t)[1]
            and span(u) != span(t)
            for u in derived
        )
    ]


def tag_names(person: Person, tags: list[Tag], *, compact: bool = False) -> list[str]:
    derived = derived_tags_for(person, tags)
    if compact:
        derived = _narrowest(derived)
    return [t.name for t in derived] + [
        link.tag.name for link in getattr(person, "shown_links", [])
    ]


def person_columns(tags: list[Tag]) -> list[Column]:
    return [
        Column(_("姓名"), lambda p: p.name, 10),
        Column(_("性别"), lambda p: p.get_sex_display(), 6),
        Column(_("出生日期"), lambda p: p.birth_date, 12),
        Column(_("年龄"), lambda p: p.age, 6),
        Column(_("身份证号"), lambda p: p.id_masked, 21),
        Column(_("手机号码"), lambda p: p.phone_masked, 14),
        Column(_("人口类型"), lambda p: p.get_residence_type_display(), 10),
        Column(_("人员状态"), lambda p: p.get_life_status_display(), 8),
        Column(
            _("现居住村（社区）"),
            lambda p: p.residence_division.name if p.residence_division else "",
            16,
        ),
        Column(_("网格"), lambda p: p.grid.name if p.grid else "", 10),
        Column(_("户号"), lambda p: p.household.number if p.household else "", 14),
        Column(_("与户主关系"), lambda p: p.get_relationship_display(), 10),
        Column(_("现居住地址"), lambda p: p.residence_address, 30),
        Column(_("重点人群标签"), lambda p: "、".join(tag_names(p, tags)), 28),
        Column(_("管辖区划代码"), lambda p: p.area_code, 16),
    ]


def export_people(
    *,
    actor: Actor,
    people: QuerySet[Person],
    tags: list[Tag],
    filters: dict[str, Any],
    target: IO[bytes],
) -> int:
    rows = people_with_tags(people, tags).iterator(chunk_size=_CHUNK)
    return audited_export(
        target,
        actor=actor,
        what="人口库人员名单",
        sheet_title="人口库",
        columns=person_columns(tags),
        rows=rows,
        object_type="person",
        label="人口库名单导出",
        changes={"filters": given(filters)},
    )


def households_for_list(households: QuerySet[Household]) -> QuerySet[Household]:
    """Head's name and member count as columns of the same query.

    Both are correlated sub-queries rather than a join grouped by 户: the database then works
    them out for the rows of the page only, where the join grouped all 300k 户 of a city
    (3.5 s a page) before it could take 30."""
    head = Person.unscoped.filter(household=OuterRef("pk"), relationship=Relationship.HEAD)
    members = (
        Person.unscoped.filter(household=OuterRef("pk"))
        .order_by()
        .annotate(n=Func("pk", function="COUNT"))
        .values("n")
    )
    return (
        households.select_related("division", "grid")
        .annotate(
            head_name=Subquery(head.values("name")[:1]),
            member_count=Subquery(members, output_field=IntegerField()),
        )
        .order_by("number")
    )


HOUSEHOLD_COLUMNS = [
    Column(_("户号"), lambda h: h.number, 14),
    Column(_("户别"), lambda h: h.get_household_type_display(), 8),
    Column(_("户主"), lambda h: h.head_name or "", 10),
    Column(_("人数"), lambda h: h.member_count, 6),
    Column(_("户籍地（村、社区）"), lambda h: h.division.name, 18),
    Column(_("网格"), lambda h: h.grid.name if h.grid else "", 10),
    Column(_("住址"), lambda h: h.address, 32),
    Column(_("管辖区划代码"), lambda h: h.area_code, 16),
]


def export_households(
    *,
    actor: Actor,
    households: QuerySet[Household],
    filters: dict[str, Any],
    target: IO[bytes],
) -> int:
    rows = households_for_list(households).iterator(chunk_size=_CHUNK)
    return audited_export(
        target,
        actor=actor,
        what="户籍户名单",
        sheet_title="户",
        columns=HOUSEHOLD_COLUMNS,
        rows=rows,
        object_type="household",
        label="户名单导出",
        changes={"filters": given(filters)},
    )


ORGANISATION_COLUMNS = [
    Column(_("统一社会信用代码"), lambda o: o.credit_code, 21),
    Column(_("名称"), lambda o: o.name, 30),
    Column(_("登记管理部门"), lambda o: o.registrar, 14),
    Column(_("机构类别"), lambda o: o.org_category, 14),
    Column(_("法定代表人"), lambda o: o.legal_rep.name if o.legal_rep else "", 10),
    Column(_("法定代表人证件号"), lambda o: o.legal_rep.id_masked if o.legal_rep else "", 21),
    Column(_("住所所在区划"), lambda o: o.division.name if o.division else "", 14),
    Column(_("住所"), lambda o: o.address, 30),
    Column(_("联系电话"), lambda o: o.phone, 14),
    Column(_("成立日期"), lambda o: o.established, 12),
    Column(_("登记状态"), lambda o: o.get_status_display(), 8),
]


def export_organisations(
    *,
    actor: Actor,
    organisations: QuerySet[Organisation],
    filters: dict[str, Any],
    target: IO[bytes],
) -> int:
    rows = organisations.select_related("legal_rep", "division").iterator(chunk_size=_CHUNK)
    return audited_export(
        target,
        actor=actor,
        what="法人库单位名单",
        sheet_title="法人库",
        columns=ORGANISATION_COLUMNS,
        rows=rows,
        object_type="organisation",
        label="法人库名单导出",
        changes={"filters": given(filters)},
    )


AUDIT_COLUMNS = [
    Column(_("序号"), lambda e: e.pk, 8),
    Column(_("时间"), lambda e: e.at, 20),
    Column(_("操作人"), lambda e: e.actor_name, 12),
    Column(_("所在单位"), lambda e: e.org_unit_code, 18),
    Column(_("操作"), lambda e: e.get_action_display(), 12),
    Column(_("对象类型"), lambda e: e.object_type, 12),
    Column(_("对象编号"), lambda e: e.object_id, 10),
    Column(_("对象"), lambda e: e.object_label, 28),
    Column(_("事由"), lambda e: e.purpose, 20),
    Column(_("IP地址"), lambda e: e.ip, 15),
]


def export_audit_log(
    *,
    actor: Actor,
    entries: QuerySet[AuditEntry],
    filters: dict[str, Any],
    target: IO[bytes],
) -> int:
    # Labels and purposes were masked when recorded, so the sheet holds no clear number.
    return audited_export(
        target,
        actor=actor,
        what="审计日志",
        sheet_title="审计日志",
        columns=AUDIT_COLUMNS,
        rows=entries.iterator(chunk_size=_CHUNK),
        object_type="audit",
        label="审计日志导出",
        changes={"filters": given(filters)},
    )
