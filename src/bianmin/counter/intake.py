"""Steps 3 and 4 of intake, for the views: which items this counter takes in, what the clerk
ticked, and the precheck of one item or of a bundle (多证联办) as one list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from bianmin.cases.services import bundles as bundle_services
from bianmin.cases.services import fetching
from bianmin.cases.services import intake as intake_services
from bianmin.cases.services.merged import MergedCheck
from bianmin.cases.services.precheck import Applicant, MaterialCheck, precheck
from bianmin.cases.services.rules import channel_of, check_acceptable_here
from bianmin.catalog.models import ApplicantKind, Bundle, Material, ServiceItem
from bianmin.catalog.queries import bundles as all_bundles
from bianmin.catalog.queries import items_at_level, level_of, merged_materials, search_items
from bianmin.core.audit import Actor
from bianmin.counter.common import error_text
from bianmin.registry.models import Role, Staff

# --- what this counter takes in -------------------------------------------------------------


def _kinds_for(applicant: Applicant | None) -> list[str]:
    if applicant is None:
        return [ApplicantKind.PERSON, ApplicantKind.ORGANISATION, ApplicantKind.BOTH]
    return [applicant.type, ApplicantKind.BOTH]


def items_for(staff: Staff, applicant: Applicant | None, q: str = "") -> QuerySet[ServiceItem]:
    """Current items this staff member may take in: the counter's level (a village agent's is
    the village level), a department window's own department, the applicant's kind."""
    level = level_of(staff.org_unit)
    items = search_items(q=q, level=level) if q else items_at_level(level)
    items = items.filter(applicant_kind__in=_kinds_for(applicant))
    if staff.role == Role.DEPT_REVIEWER:
        items = items.filter(department_id=staff.department_id)
    return items.order_by("department_id", "code")


def bundles_for(staff: Staff, applicant: Applicant | None) -> list[Any]:
    """Bundles whose every item this counter may take in for this applicant."""
    allowed = set(items_for(staff, applicant).values_list("code", flat=True))
    return [b for b in all_bundles() if b.items and all(i.code in allowed for i in b.items)]


# --- one item or a bundle -------------------------------------------------------------------


@dataclass
class Target:
    kind: str  # "item" | "bundle"
    code: str
    name: str
    items: list[ServiceItem]
    bundle: Bundle | None = None

    @property
    def item(self) -> ServiceItem:
        return self.items[0]

    @property
    def is_bundle(self) -> bool:
        return self.bundle is not None

    def materials(self) -> list[Material]:
        return merged_materials(self.items)

    def needed_by(self) -> dict[str, list[str]]:
        """Material code → the names of the bundle's items that ask for it."""
        result: dict[str, list[str]] = {}
        for item in self.items:
            for m in item.materials.all():
                result.setdefault(m.code, []).append(item.name)
        return result


def load_target(kind: str, code: str) -> Target:
    try:
        if kind == "item":
            item = intake_services.resolve_item(code)
            return Target("item", item.code, item.name, [item])
        if kind == "bundle":
            bundle, items = bundle_services.resolve_bundle(code)
            return Target("bundle", bundle.code, bundle.name, items, bundle)
    except ValidationError:
        pass
    raise Http404


def acceptability(target: Target, staff: Staff | None) -> str:
    """Why this counter cannot take the target in ("" when it can), in the services' words."""
    if staff is None:
        return error_text(PermissionDenied())
    try:
        for item in target.items:
            check_acceptable_here(item, staff, channel_of(staff))
    except (ValidationError, PermissionDenied) as e:
        return error_text(e)
    return ""


# --- what the clerk ticked ------------------------------------------------------------------


@dataclass
class Ticked:
    codes: list[str] = field(default_factory=list)
    forms: dict[str, str] = field(default_factory=dict)
    applicable: list[str] = field(default_factory=list)

    @classmethod
    def from_post(cls, data) -> Ticked:
        codes = [c for c in dict.fromkeys(data.getlist("m")) if c]
        forms = {c: data.get(f"form_{c}", "") for c in codes}
        return cls(codes, forms, [c for c in data.getlist("applicable") if c])

    def provided_for(self, item: ServiceItem, *, only_known: bool) -> list[dict[str, str]]:
        """{code, form} for the item's materials; the form is left empty when it is the one
        the item asks for (the service then takes "as required")."""
        required = {m.code: m.form for m in item.materials.all()}
        rows = []
        for code in self.codes:
            if only_known and code not in required:
                continue
            form = self.forms.get(code, "")
            rows.append({"code": code, "form": "" if form == required.get(code) else form})
        return rows

    def all_provided(self) -> list[dict[str, str]]:
        return [{"code": c, "form": self.forms.get(c, "")} for c in self.codes]


# --- the precheck of a target ---------------------------------------------------------------


class Result(MergedCheck):
    """The prechecks of a target's items read as one application: one list of what is
    missing (a material several items need is named once), one verdict."""

    def outcome_of(self) -> dict[str, MaterialCheck]:
        """Material code → its check (a blocking one wins for a code several items list)."""
        result: dict[str, MaterialCheck] = {}
        for checked in self.checks:
            for c in checked.checks:
                if c.code not in result or c.blocking:
                    result[c.code] = c
        return result


def run_precheck(
    target: Target, applicant: Applicant, ticked: Ticked, channel: str, actor: Actor
) -> Result:
    """Precheck every item of the target (writes nothing), with what sharing will not supply
    already asked for: the gate is asked (grant, consent, a source) without reading anyone's
    data — a holder without a record shows up when the application is taken in. Raises the
    service's ValidationError for an unknown material or an applicant of the wrong kind."""
    if target.is_bundle:
        checks = bundle_services.check_bundle(
            bundle=target.bundle,
            items=target.items,
            applicant=applicant,
            provided=ticked.all_provided(),
            channel=channel,
            applicable=ticked.applicable,
        )
    else:
        checks = [
            precheck(
                item=target.item,
                applicant=applicant,
                provided=ticked.provided_for(target.item, only_known=False),
                channel=channel,
                applicable=ticked.applicable,
            )
        ]
    if not any(c.problems for c in checks):
        checks = [
            fetching.fetch(actor=actor, checked=c, applicant=applicant, preview=True)[0]
            for c in checks
        ]
    return Result(tuple(checks))


def missing_codes(result: Result) -> tuple[str, ...]:
    return tuple(c.code for c in result.missing)


def names(checks: Iterable[MaterialCheck]) -> str:
    return "、".join(c.name for c in checks)
