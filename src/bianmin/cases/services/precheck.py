"""预审 and 一次性告知: every missing or invalid material of an application, all at once.

`precheck` writes nothing: the window page shows its result while the applicant is at the
counter, the intake services run it again inside their transaction, and the printable notice
(一次性告知书) is `Precheck.notice()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import ApplicantType, IntakeChannel
from bianmin.cases.services.eligibility import check_applicant_kind, eligibility_problems
from bianmin.catalog.models import (
    Material,
    MaterialForm,
    MaterialRequirement,
    ServiceItem,
)
from bianmin.registry.models import Organisation, Person


@dataclass(frozen=True)
class Applicant:
    """Who applies: a person of the 人口库 or an organisation of the 法人库."""

    person: Person | None = None
    organisation: Organisation | None = None

    def __post_init__(self) -> None:
        if (self.person is None) == (self.organisation is None):
            raise ValueError("an applicant is a person or an organisation")

    @property
    def type(self) -> str:
        return ApplicantType.PERSON if self.person is not None else ApplicantType.ORGANISATION

    @property
    def name(self) -> str:
        return self.person.name if self.person is not None else self.organisation.name

    @property
    def masked_id(self) -> str:
        # A credit code is public registration data; a citizen ID only ever masked.
        return self.person.id_masked if self.person is not None else self.organisation.credit_code

    @property
    def last4(self) -> str:
        return (
            self.person.id_last4 if self.person is not None else self.organisation.credit_code[-4:]
        )

    @property
    def area_code(self) -> str:
        return self.person.area_code if self.person is not None else self.organisation.area_code


@dataclass(frozen=True)
class Provided:
    """A material handed in; `form` empty means "in the form the item requires"."""

    code: str
    form: str = ""


def normalise_provided(items: Iterable[str | Mapping[str, Any] | Provided]) -> list[Provided]:
    result: dict[str, Provided] = {}
    for entry in items or ():
        if isinstance(entry, Provided):
            given = entry
        elif isinstance(entry, str):
            given = Provided(entry.strip())
        else:
            given = Provided(str(entry.get("code", "")).strip(), str(entry.get("form") or ""))
        if given.form and given.form not in MaterialForm.values:
            raise ValidationError(
                {
                    "materials": ValidationError(
                        _("材料形式“%(form)s”无效。"),
                        code="invalid_material_form",
                        params={"form": given.form},
                    )
                }
            )
        if given.code:
            result[given.code] = given
    return list(result.values())


class SharedFetch(Protocol):
    """What sharing said about one material (`bianmin.sharing.services.Fetched`)."""

    found: bool
    label: str  # where it came from, once fetched ("" in a preview: not read yet)

    @property
    def short_reason(self) -> str: ...


class Outcome:
    SUBMITTED = "submitted"  # handed in, in an acceptable form
    SHARED = "shared"  # fetched from shared data / e-certificates: nothing to hand in
    MISSING = "missing"
    WRONG_FORM = "wrong_form"
    CONDITIONAL = "conditional"  # only if a condition applies, which nobody has confirmed
    OPTIONAL = "optional"  # not required


BLOCKING = frozenset({Outcome.MISSING, Outcome.WRONG_FORM})

# Which handed-in forms satisfy a required form. The centre copies originals free of charge,
# so an original also satisfies "copy".
_SATISFIES = {
    MaterialForm.ORIGINAL: {MaterialForm.ORIGINAL, MaterialForm.ORIGINAL_AND_COPY},
    MaterialForm.COPY: {MaterialForm.COPY, MaterialForm.ORIGINAL, MaterialForm.ORIGINAL_AND_COPY},
    MaterialForm.ORIGINAL_AND_COPY: {MaterialForm.ORIGINAL_AND_COPY},
    MaterialForm.ELECTRONIC: {
        MaterialForm.ELECTRONIC,
        MaterialForm.ORIGINAL,
        MaterialForm.ORIGINAL_AND_COPY,
    },
}


@dataclass(frozen=True)
class MaterialCheck:
    code: str
    name: str
    seq: int
    requirement: str
    form: str
    essential: bool
    condition: str
    outcome: str
    reason: str
    provided_form: str = ""
    material_id: int | None = None

    @property
    def blocking(self) -> bool:
        return self.outcome in BLOCKING

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "outcome": self.outcome,
            "reason": self.reason,
            "form": self.form,
            "requirement": self.requirement,
            "essential": self.essential,
            "condition": self.condition,
        }


@dataclass(frozen=True)
class Precheck:
    item: ServiceItem
    channel: str
    checks: tuple[MaterialCheck, ...]
    problems: tuple[str, ...] = ()  # the applicant does not meet the item's conditions
    checked_on: dt.date = field(default_factory=dt.date.today)
    provided: tuple[Provided, ...] = ()
    applicable: frozenset[str] = frozenset()
    # Whether sharing was asked (`with_fetched`): then a material it could not supply is
    # asked of the applicant, with the reason.
    fetched: bool = False

    def with_fetched(self, fetched: Mapping[str, SharedFetch]) -> Precheck:
        """The same check once sharing has been asked: a material fetched is never asked
        for; one that could not be fetched is required as any other, with the reason
        ("未能通过数据共享获取（未获居民授权），须提交原件"). Materials sharing was not
        asked about keep their first outcome."""
        given = {p.code: p for p in self.provided}
        checks = tuple(
            _check_one(
                m,
                given.get(m.code),
                self.channel,
                self.applicable,
                fetched.get(m.code),
                asked=True,
            )
            for m in self.item.materials.all()
        )
        return replace(self, checks=checks, fetched=True)

    def to_fetch(self) -> list[Material]:
        """The materials sharing should supply for this application: a shared source, not
        handed in, and required — mandatory, or conditional with the condition confirmed.
        Optional ones and conditions nobody confirmed are not fetched (最小必要: a
        department reads what it needs)."""
        handed = {p.code for p in self.provided}
        return [
            m
            for m in self.item.materials.all()
            if m.shared_source
            and m.code not in handed
            and (
                m.requirement == MaterialRequirement.MANDATORY
                or (m.requirement == MaterialRequirement.CONDITIONAL and m.code in self.applicable)
            )
        ]

    @property
    def missing(self) -> list[MaterialCheck]:
        """Everything that stands in the way of acceptance: the one-time notice."""
        return [c for c in self.checks if c.blocking]

    @property
    def shared(self) -> list[MaterialCheck]:
        return [c for c in self.checks if c.outcome == Outcome.SHARED]

    @property
    def conditional(self) -> list[MaterialCheck]:
        return [c for c in self.checks if c.outcome == Outcome.CONDITIONAL]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.problems

    @property
    def deficiency_possible(self) -> bool:
        """容缺受理 is possible: only non-essential materials stand in the way."""
        missing = self.missing
        return (
            bool(missing)
            and not self.problems
            and self.item.allows_deficiency
            and all(not c.essential for c in missing)
        )

    def notice(self) -> dict[str, Any]:
        """The one-time notice (一次性告知书) as data, for the printable page and the API."""
        item = self.item
        return {
            "item_code": item.code,
            "item_name": item.name,
            "date": self.checked_on.isoformat(),
            "missing": [c.as_dict() for c in self.missing],
            "conditional": [c.as_dict() for c in self.conditional],
            "shared": [c.as_dict() for c in self.shared],
            "problems": list(self.problems),
            "deficiency_possible": self.deficiency_possible,
            "place": item.place,
            "hours": item.hours,
            "consult_phone": item.consult_phone,
        }


def _check_one(
    m: Material,
    given: Provided | None,
    channel: str,
    applicable: Iterable[str],
    fetch: SharedFetch | None = None,
    *,
    asked: bool = False,
):
    base = {
        "code": m.code,
        "name": m.name,
        "seq": m.seq,
        "requirement": m.requirement,
        "form": m.form,
        "essential": m.essential,
        "condition": m.condition,
        "material_id": m.pk,
    }
    form_label = MaterialForm(m.form).label
    if given is None:
        if asked and m.shared_source and fetch is None:
            # Sharing was asked for what this application needs; this one it does not.
            if m.requirement == MaterialRequirement.OPTIONAL:
                return MaterialCheck(**base, outcome=Outcome.OPTIONAL, reason=str(_("非必要材料")))
            if m.requirement == MaterialRequirement.CONDITIONAL and m.code not in applicable:
                return MaterialCheck(
                    **base,
                    outcome=Outcome.CONDITIONAL,
                    reason=str(_("如属于“%(c)s”情形，将通过数据共享获取") % {"c": m.condition}),
                )
        if m.shared_source and (fetch is None or fetch.found):
            reason = fetch.label if fetch is not None and fetch.label else ""
            return MaterialCheck(
                **base,
                outcome=Outcome.SHARED,
                reason=reason or str(_("将通过数据共享获取，无需提交")),
            )
        if m.requirement == MaterialRequirement.OPTIONAL:
            return MaterialCheck(**base, outcome=Outcome.OPTIONAL, reason=str(_("非必要材料")))
        if m.requirement == MaterialRequirement.CONDITIONAL and m.code not in applicable:
            return MaterialCheck(
                **base,
                outcome=Outcome.CONDITIONAL,
                reason=str(
                    _("如属于“%(c)s”情形，须提交%(f)s") % {"c": m.condition, "f": form_label}
                ),
            )
        if fetch is not None:
            # Sharing was asked and could not supply it: the applicant is, with the reason.
            reason = _("未能通过数据共享获取（%(why)s），须提交%(f)s") % {
                "why": fetch.short_reason,
                "f": form_label,
            }
            if m.requirement == MaterialRequirement.CONDITIONAL:
                reason = _("属于“%(c)s”情形；%(r)s") % {"c": m.condition, "r": reason}
        elif m.requirement == MaterialRequirement.CONDITIONAL:
            reason = _("属于“%(c)s”情形，须提交%(f)s") % {"c": m.condition, "f": form_label}
        else:
            reason = _("未提交（须提交%(f)s）") % {"f": form_label}
        return MaterialCheck(**base, outcome=Outcome.MISSING, reason=str(reason))
    form = given.form or m.form
    # Online everything arrives electronically; originals are checked when the result is
    # collected, so an upload satisfies every form at this stage.
    online_ok = channel == IntakeChannel.ONLINE and form == MaterialForm.ELECTRONIC
    if online_ok or form in _SATISFIES[MaterialForm(m.form)]:
        return MaterialCheck(
            **base, outcome=Outcome.SUBMITTED, reason=str(_("已提交")), provided_form=form
        )
    return MaterialCheck(
        **base,
        outcome=Outcome.WRONG_FORM,
        reason=str(
            _("须提交%(need)s，现提交的是%(got)s")
            % {"need": form_label, "got": MaterialForm(form).label}
        ),
        provided_form=form,
    )


def precheck(
    *,
    item: ServiceItem,
    applicant: Applicant,
    provided: Iterable[str | Mapping[str, Any] | Provided],
    channel: str,
    applicable: Iterable[str] = (),
    today: dt.date | None = None,
) -> Precheck:
    """Check an application against the item version's material list.

    `provided`: material codes, or {code, form} when the form differs from the required one.
    `applicable`: conditional materials whose condition the clerk confirmed applies — those
    become required; the others are listed with their condition but do not block.
    A code the item does not know is an input error (`unknown_material`), never ignored."""
    from django.utils import timezone

    today = today or timezone.localdate()
    check_applicant_kind(item, applicant)
    given = {p.code: p for p in normalise_provided(provided)}
    materials = list(item.materials.all())
    known = {m.code for m in materials}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValidationError(
            {
                "materials": ValidationError(
                    _("事项“%(item)s”没有以下材料：%(codes)s。"),
                    code="unknown_material",
                    params={"item": item.name, "codes": "、".join(unknown)},
                )
            }
        )
    applicable = frozenset(applicable)
    checks = tuple(_check_one(m, given.get(m.code), channel, applicable) for m in materials)
    return Precheck(
        item=item,
        channel=channel,
        checks=checks,
        problems=tuple(eligibility_problems(item, applicant, today)),
        checked_on=today,
        provided=tuple(given.values()),
        applicable=applicable,
    )
