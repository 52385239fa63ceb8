"""Read models of the catalogue, shared by the guide pages, the API, the one-window intake and
the portal: current items, where an item may be applied for, who is likely eligible."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from bianmin.catalog.models import (
    AcceptLevel,
    ApplicantKind,
    Bundle,
    Material,
    ProcessStep,
    ServiceItem,
)
from bianmin.catalog.services import BUNDLE_NOT_FOUND, ITEM_NOT_FOUND
from bianmin.registry.models import Division, DivisionLevel, LifeStatus, OrgUnit, Person, Tag

# Which centre level an org unit's division stands for. A province-level unit (rare: a
# provincial department's window) accepts what the city accepts.
_LEVEL_OF_DIVISION = {
    DivisionLevel.PROVINCE: AcceptLevel.CITY,
    DivisionLevel.CITY: AcceptLevel.CITY,
    DivisionLevel.COUNTY: AcceptLevel.DISTRICT,
    DivisionLevel.TOWN: AcceptLevel.TOWN,
    DivisionLevel.VILLAGE: AcceptLevel.VILLAGE,
}


def current_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(is_current=True).select_related("department")


def with_details(qs: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    """Materials, steps (with their departments) and tags in three more queries, not per item."""
    return qs.select_related("department").prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("seq")),
        Prefetch(
            "steps",
            queryset=ProcessStep.objects.select_related("department").order_by(
                "parallel_group", "seq"
            ),
        ),
        "eligible_tags",
    )


def get_item(code: str, version: int | None = None) -> ServiceItem:
    """One item with its details: the current version, or the given one (also a retired one,
    which is what a case filed under it was judged against)."""
    qs = with_details(ServiceItem.objects.filter(code=code))
    qs = qs.filter(version=version) if version is not None else qs.filter(is_current=True)
    item = qs.first()
    if item is None:
        raise ServiceItem.DoesNotExist(ITEM_NOT_FOUND)
    return item


def item_versions(code: str) -> list[ServiceItem]:
    return list(
        ServiceItem.objects.filter(code=code)
        .only("code", "version", "is_current", "created_at", "change_note", "name")
        .order_by("-version")
    )


def level_for_division(division: Division) -> str:
    return _LEVEL_OF_DIVISION[DivisionLevel(division.level)].value


def level_of(org_unit: OrgUnit) -> str:
    """The accept level of a service centre or department unit: the level of its division
    (a city department's unit is at city level, a street centre at town level …)."""
    return level_for_division(org_unit.division)


def _level_q(level: str) -> Q:
    # accept_levels is a JSON list of fixed words; `contains` on a JSON list is not supported
    # by SQLite, but the quoted word cannot occur in the stored text unless it is an element.
    return Q(accept_levels__icontains=f'"{level}"')


def items_at_level(level: str) -> QuerySet[ServiceItem]:
    return current_items().filter(_level_q(level))


def items_for_org_unit(org_unit: OrgUnit) -> QuerySet[ServiceItem]:
    return items_at_level(level_of(org_unit))


def _tag_codes_of(person: Person, today: dt.date) -> set[str]:
    stored = set(person.tag_links.values_list("tag_id", flat=True))
    age = person.age_on(today)
    derived = {
        t.code
        for t in Tag.objects.filter(derived=True)
        if (t.min_age is None or age >= t.min_age) and (t.max_age is None or age < t.max_age)
    }
    return stored | derived


def eligible_items(person: Person, *, today: dt.date | None = None) -> QuerySet[ServiceItem]:
    """Items a resident is likely eligible for (to suggest, never to refuse): for people, old
    enough, and either open to everyone or to one of the person's key-population tags.

    The caller has already read the person through an audited access service."""
    if person.life_status != LifeStatus.ALIVE:
        return ServiceItem.objects.none()
    today = today or timezone.localdate()
    age = person.age_on(today)
    tags = _tag_codes_of(person, today)
    links = ServiceItem.eligible_tags.through.objects.filter(serviceitem_id=OuterRef("pk"))
    return (
        current_items()
        .filter(applicant_kind__in=[ApplicantKind.PERSON, ApplicantKind.BOTH])
        .filter(Q(eligible_min_age__isnull=True) | Q(eligible_min_age__lte=age))
        .filter(~Exists(links) | Exists(links.filter(tag_id__in=tags)))
    )


def search_items(
    *,
    q: str = "",
    department: str = "",
    item_type: str = "",
    level: str = "",
    online: bool | None = None,
    applicant_kind: str = "",
) -> QuerySet[ServiceItem]:
    """Current items by free text (name, code, department name), department code, type, level
    and whether they can be done online."""
    qs = current_items()
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(code__istartswith=q)
            | Q(department__name__icontains=q)
            | Q(department__short_name__icontains=q)
        )
    if department:
        qs = qs.filter(department_id=department)
    if item_type:
        qs = qs.filter(item_type=item_type)
    if level:
        qs = qs.filter(_level_q(level))
    if online is not None:
        qs = qs.filter(online=online)
    if applicant_kind:
        qs = qs.filter(applicant_kind__in=[applicant_kind, ApplicantKind.BOTH])
    return qs.order_by("department_id", "code")


def step_groups(item: ServiceItem) -> list[list[ProcessStep]]:
    """The process as it runs: one list per parallel group, in order (并联 steps together)."""
    groups: dict[int, list[ProcessStep]] = {}
    for step in item.steps.all():
        groups.setdefault(step.parallel_group, []).append(step)
    return [groups[g] for g in sorted(groups)]


def step_total_days(item: ServiceItem) -> int:
    """Working days the steps add up to (a parallel group counts as its longest step)."""
    return sum(max(s.limit_days for s in group) for group in step_groups(item))


# --- 多证联办 -------------------------------------------------------------------------------


@dataclass
class BundleView:
    bundle: Bundle
    items: list[ServiceItem] = field(default_factory=list)

    @property
    def promised_limit_days(self) -> int:
        # The items are processed side by side: the bundle takes as long as its slowest item.
        return max((i.promised_limit_days for i in self.items), default=0)

    @property
    def max_visits(self) -> int:
        return max((i.max_visits for i in self.items), default=0)


def bundles(*, active_only: bool = True) -> list[BundleView]:
    """Bundles with their current items, in two queries whatever the number of bundles."""
    qs = Bundle.objects.filter(is_active=True) if active_only else Bundle.objects.all()
    found = list(qs)
    codes = {c for b in found for c in b.item_codes}
    items = {i.code: i for i in current_items().filter(code__in=codes)}
    return [BundleView(b, [items[c] for c in b.item_codes if c in items]) for b in found]


def get_bundle(code: str) -> BundleView:
    found = Bundle.objects.filter(code=code).first()
    if found is None:
        raise Bundle.DoesNotExist(BUNDLE_NOT_FOUND)
    items = with_details(current_items().filter(code__in=found.item_codes))
    by_code = {i.code: i for i in items}
    return BundleView(found, [by_code[c] for c in found.item_codes if c in by_code])


def merged_materials(items: Iterable[ServiceItem]) -> list[Material]:
    """One list of materials for a joint application: a material several items ask for (same
    code, e.g. the ID card) is handed in once (一次提交). Items need `materials` loaded."""
    seen: dict[str, Material] = {}
    for item in items:
        for m in item.materials.all():
            seen.setdefault(m.code, m)
    return list(seen.values())
