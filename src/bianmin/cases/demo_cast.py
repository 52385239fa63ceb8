"""Who, when and for whom in the demo cases (`cases.demo`): the demo city's staff as actors,
the working days of the last six weeks with office hours, and applicants chosen so that the
item's conditions hold (age, key-population tag, a phone the result can be announced to) and
the registers carry what its result needs (`core.demo.applicant_fits`)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from bianmin.cases.services.precheck import Applicant, precheck
from bianmin.catalog.models import MaterialRequirement, ServiceItem
from bianmin.core import demo
from bianmin.core.audit import Actor
from bianmin.core.workdays import CalendarNotCovered, is_workday
from bianmin.registry.models import LifeStatus, Organisation, Person, Staff
from bianmin.registry.models.organisations import OrganisationStatus

# Street centres with clerks in the demo city, and the district of each demo reviewer.
DAZHI, MINZUJIE = "420102002", "420103001"
BAOCHENG = "420102002003"
DISTRICT_SLUG = {"420102": "jiangan", "420103": "jianghan"}
CENTRE_CLERKS = {
    "ZWZX-420100": ("chuangkou", "chuangkou_b"),
    "ZWZX-420102": ("ck_jiangan", "ck_jiangan_b"),
    "ZWZX-420103": ("ck_jianghan",),
    "BMZX-420102002000": ("ck_dazhi", "ck_dazhi_b"),
    "BMZX-420103001000": ("ck_minzujie",),
}
CENTRE_AREA = {
    "ZWZX-420100": "4201",
    "ZWZX-420102": "420102",
    "ZWZX-420103": "420103",
    "BMZX-420102002000": DAZHI,
    "BMZX-420103001000": MINZUJIE,
}
SUPERVISOR = "jiancha"


class Cast:
    """The demo's named staff, loaded once, as actors carrying their Staff row (services then
    skip the look-up)."""

    def __init__(self) -> None:
        rows = Staff.objects.select_related("user", "org_unit__division", "department")
        self.staff = {s.user.username: s for s in rows.filter(user__username__in=_named())}

    def has(self, *usernames: str) -> bool:
        return all(u in self.staff for u in usernames)

    def actor(self, username: str) -> Actor:
        s = self.staff[username]
        return Actor(s.user_id, s.display_name, s.org_unit_id, None, "", {"staff": s})

    def reviewer(self, department: str, area_code: str) -> str | None:
        """The demo reviewer of a department in the applicant's district (江岸 by default)."""
        slug = DISTRICT_SLUG.get(area_code[:6], "jiangan")
        username = f"{department.lower()}_{slug}"
        return username if username in self.staff else None


def _named() -> list[str]:
    names = [u for clerks in CENTRE_CLERKS.values() for u in clerks]
    names += [SUPERVISOR, "dby_baocheng", "dby_wuli", "mz_jiangan_b"]
    for slug in DISTRICT_SLUG.values():
        names += [f"{d}_{slug}" for d in ("ga", "rs", "mz", "wj", "scjg", "cl", "yb")]
    return names


def _workday(day: dt.date) -> bool:
    try:
        return is_workday(day)
    except CalendarNotCovered:
        return day.weekday() < 5


@dataclass
class Clock:
    """The working days of the demo's weeks, oldest first, ending with today (or the last
    working day before it); acts happen in office hours, later acts later in the day."""

    today: dt.date
    weeks: int = 6
    days: list[dt.date] = field(init=False)

    def __post_init__(self) -> None:
        span = [self.today - dt.timedelta(days=n) for n in range(self.weeks * 7, -1, -1)]
        self.days = [d for d in span if _workday(d)]

    @property
    def last(self) -> int:
        return len(self.days) - 1

    def at(self, index: int, minute: int) -> dt.datetime:
        """Day `index` (clamped to the window) at 09:00 + `minute` (at most 17:30)."""
        day = self.days[max(0, min(index, self.last))]
        minutes = 9 * 60 + min(max(minute, 0), 8 * 60 + 30)
        moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
        stamp = timezone.make_aware(moment)
        if day == timezone.localdate() and stamp > timezone.now():
            return timezone.now()  # an act "today" cannot be later than now
        return stamp


class Applicants:
    """People (and organisations) to apply, in a stable order per seed; each is used for at
    most a few cases so the lists look like a town, not one busy resident."""

    def __init__(self, rng: random.Random) -> None:
        people = list(
            Person.unscoped.filter(life_status=LifeStatus.ALIVE)
            .exclude(phone="")
            .prefetch_related("tag_links")
            .order_by("pk")
        )
        rng.shuffle(people)
        self.people = people
        self.orgs = list(
            Organisation.unscoped.filter(status=OrganisationStatus.ACTIVE).order_by("pk")
        )
        self.used: dict[int, int] = {}

    def person(
        self,
        item: ServiceItem,
        *,
        area: str = "",
        registered: str = "",
        today: dt.date,
        avoid: Iterable[int] = (),
    ) -> Person | None:
        """The first little-used person living under `area` (or registered under
        `registered`) who meets the item's conditions."""
        skip = set(avoid)
        for limit in (1, 2, 4):
            for p in self.people:
                if p.pk in skip or self.used.get(p.pk, 0) >= limit:
                    continue
                if area and not p.area_code.startswith(area):
                    continue
                if registered and not (p.registered_division_id or "").startswith(registered):
                    continue
                if not demo.applicant_fits(item, p):  # cheaper than the precheck: first
                    continue
                checked = precheck(
                    item=item,
                    applicant=Applicant(person=p),
                    provided=[],
                    channel="window",
                    today=today,
                )
                if checked.problems:
                    continue
                self.used[p.pk] = self.used.get(p.pk, 0) + 1
                return p
        return None

    def organisation(self, area: str = "") -> Organisation | None:
        for limit in (1, 2, 4):
            for org in self.orgs:
                if self.used.get(-org.pk, 0) < limit and org.area_code.startswith(area):
                    self.used[-org.pk] = self.used.get(-org.pk, 0) + 1
                    return org
        return None


def complete_materials(item: ServiceItem, applicant: Applicant | None = None) -> list[str]:
    """What a well-prepared applicant hands in: every mandatory material not fetched from
    shared data, in the form required — and, when we know who applies, what sharing will
    not supply for them (`unsupplied`)."""
    given = [
        m.code
        for m in item.materials.all()
        if m.requirement == MaterialRequirement.MANDATORY and not m.shared_source
    ]
    return given + (unsupplied(item, applicant) if applicant is not None else [])


def unsupplied(item: ServiceItem, applicant: Applicant) -> list[str]:
    """The mandatory materials sharing would not supply for this applicant (no consent, no
    record, no e-certificate …): a well-prepared applicant knows their own papers and brings
    these. The demo asks sharing without recording (`fetch_materials` writes nothing); the
    intake then fetches again and records its reads, as it does for anyone."""
    from bianmin.sharing.services import fetch_materials

    wanted = [
        m
        for m in item.materials.all()
        if m.shared_source and m.requirement == MaterialRequirement.MANDATORY
    ]
    if not wanted:
        return []
    fetched = fetch_materials(
        actor=Actor(name="demo"),
        item=item,
        person=applicant.person,
        organisation=applicant.organisation,
        materials=wanted,
    )
    return [code for code, f in fetched.items() if not f.found]


def deficient(item: ServiceItem, *, essential: bool) -> str | None:
    """A mandatory material to leave out: an essential one (→ 补正) or not (→ 容缺)."""
    for m in item.materials.all():
        mandatory = m.requirement == MaterialRequirement.MANDATORY and not m.shared_source
        if mandatory and m.essential == essential:
            return m.code
    return None
