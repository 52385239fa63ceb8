"""The acts the demo cases are made of (`cases.demo`): intake at the right place for the
item and applicant, reviews by the applicant's district reviewers, decision, delivery and
closure — each through the service, back-dated along one case's timeline."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from bianmin.cases import demo_cast as cast_
from bianmin.cases import results
from bianmin.cases.demo_cast import Applicants, Cast, Clock, complete_materials, unsupplied
from bianmin.cases.models import Case, CaseStatus, ConsentMethod, IntakeChannel, ReviewStatus
from bianmin.cases.services import acceptance, handling, intake
from bianmin.cases.services.intake import AgentConsent
from bianmin.cases.services.precheck import Applicant
from bianmin.cases.services.rules import item_of
from bianmin.catalog.models import AcceptLevel, ApplicantKind, ServiceItem
from bianmin.core.audit import Actor

ONLINE = Actor(name="网上办事大厅")


@dataclass
class Story:
    fate: str
    item: str
    channel: str = IntakeChannel.WINDOW


@dataclass
class World:
    rng: random.Random
    cast: Cast
    clock: Clock
    people: Applicants
    items: dict[str, ServiceItem]


# --- acts -----------------------------------------------------------------------------------


class Timeline:
    """One case's acts in order: a working day index and a minute that only move forward."""

    def __init__(self, w: World, start: int) -> None:
        self.w, self.day, self.minute = w, start, w.rng.randrange(0, 300)

    def now(self) -> dt.datetime:
        return self.w.clock.at(self.day, self.minute)

    def next(self, days: int = 0) -> dt.datetime:
        if days:
            self.day = min(self.day + days, self.w.clock.last)
            self.minute = self.w.rng.randrange(0, 240)
        else:
            self.minute += self.w.rng.randrange(10, 60)
        return self.now()


def _where(w: World, item: ServiceItem) -> tuple[str, str]:
    """(centre, applicant area) for a window application of this item."""
    levels, options = set(item.accept_levels or ()), []
    if AcceptLevel.TOWN in levels:
        options += [("BMZX-420102002000", cast_.DAZHI)] * 3
        options += [("BMZX-420103001000", cast_.MINZUJIE)] * 2
    if AcceptLevel.DISTRICT in levels:
        options += [("ZWZX-420102", "420102"), ("ZWZX-420103", "420103")]
    if AcceptLevel.CITY in levels:
        options += [("ZWZX-420100", "4201")] * 3
    return w.rng.choice(options)


def _clerk(w: World, centre: str) -> str:
    return w.rng.choice([u for u in cast_.CENTRE_CLERKS[centre] if u in w.cast.staff])


def _street_centre(area_code: str) -> str:
    return "BMZX-420103001000" if area_code.startswith(cast_.MINZUJIE) else "BMZX-420102002000"


def apply(
    w: World,
    story: Story,
    t: Timeline,
    *,
    provided: list[str] | None = None,
    pledge=None,
    centre: str | None = None,
    online: bool | None = None,
    window: bool = False,
) -> Case | None:
    """The application: online (waiting for the street clerk's precheck), through the 保成社区
    agent, or at a window — the applicant's number looked up (and audited) as the clerk
    would. Items the catalogue promises without a trip (最多跑零次) go online unless told;
    `window`: at a window, whatever the item. Items for businesses are mostly applied for by
    an organisation of the 法人库."""
    item = w.items[story.item]
    levels = set(item.accept_levels or ())
    if online is None:
        online = (
            not window
            and centre is None
            and item.max_visits == 0
            and item.online
            and AcceptLevel.TOWN in levels
        )
    agent = (
        not (online or window)
        and centre is None
        and AcceptLevel.VILLAGE in levels
        and w.rng.random() < 0.15
    )
    if online:
        area = w.rng.choice([cast_.DAZHI, cast_.MINZUJIE])
    elif agent:
        area = cast_.BAOCHENG
    elif centre is not None:
        area = cast_.CENTRE_AREA[centre]
    else:
        centre, area = _where(w, item)
    if item.applicant_kind != ApplicantKind.PERSON and not online and w.rng.random() < 0.7:
        org = w.people.organisation(area if len(area) > 4 else "")
        applicant = Applicant(organisation=org) if org is not None else None
    else:
        person = w.people.person(item, area=area, today=w.clock.today)
        applicant = Applicant(person=person) if person is not None else None
    if applicant is None:
        return None
    if provided is None:
        given = complete_materials(item, applicant)
    else:  # everything but what the story leaves out, as well prepared for the rest
        given = list(dict.fromkeys([*provided, *unsupplied(item, applicant)]))
    if online:
        story.channel = IntakeChannel.ONLINE
        street = w.cast.staff[_clerk(w, _street_centre(applicant.area_code))].org_unit
        return intake.submit_online(
            actor=ONLINE.with_purpose(applicant.name),
            item=item,
            applicant=applicant,
            provided=[{"code": c, "form": "electronic"} for c in given],
            org_unit=street,
            on=t.now(),
        ).case
    username = "dby_baocheng" if agent else _clerk(w, centre)
    actor = w.cast.actor(username)
    intake.audit_lookup(actor, applicant)
    consent = None
    story.channel = IntakeChannel.WINDOW
    if agent:
        story.channel = IntakeChannel.AGENT
        method = w.rng.choice([ConsentMethod.WRITTEN, ConsentMethod.SMS])
        consent = AgentConsent(method, t.now() - dt.timedelta(hours=w.rng.randrange(2, 48)))
    return intake.take_in(
        actor=actor,
        item=item,
        applicant=applicant,
        provided=given,
        channel=story.channel,
        agent_consent=consent,
        pledge=pledge,
        on=t.now(),
    ).case


def apply_accepted(w: World, story: Story, t: Timeline, **kwargs) -> Case | None:
    """`apply`, and an online application accepted by the street clerk the next working day."""
    case = apply(w, story, t, **kwargs)
    if case is not None and case.status == CaseStatus.SUBMITTED:
        accept_online(w, case, t)
    return case


def clerk_of(w: World, case: Case) -> str:
    """Who carries the case on at its centre: the agent who filed it, or a clerk there."""
    if case.agent_id is not None:
        return next(u for u, s in w.cast.staff.items() if s.pk == case.agent_id)
    return _clerk(w, case.org_unit_id) if case.org_unit_id in cast_.CENTRE_CLERKS else "ck_dazhi"


def accept_online(w: World, case: Case, t: Timeline) -> None:
    acceptance.accept(actor=w.cast.actor(clerk_of(w, case)), case=case, on=t.next(1))


def review(w: World, case: Case, t: Timeline, *, leave: int = 0, spread: int = 1) -> None:
    """Approve the open reviews group by group, `spread` working days apart, by the reviewers
    of the applicant's district, leaving `leave` of them undone."""
    done = {ReviewStatus.APPROVED, ReviewStatus.SKIPPED}
    while True:
        remaining = [
            r for r in case.reviews.order_by("parallel_group", "seq") if r.status not in done
        ]
        open_ = [r for r in remaining if r.status == ReviewStatus.OPEN]
        if not open_ or len(remaining) <= leave:
            return
        t.next(spread)
        for r in open_:
            if len(remaining) <= leave:
                return
            who = w.cast.reviewer(r.department_id, case.applicant_area_code)
            if who is None:
                return
            handling.act_on_review(
                actor=w.cast.actor(who),
                review=r,
                decision="approve",
                opinion="符合条件",
                on=t.next(),
            )
            remaining.remove(r)


def decide(w: World, case: Case, t: Timeline, days: int = 1) -> bool:
    item = item_of(case)
    deciding = [s.department_id for s in item.steps.all() if s.kind == "decide"]
    who = w.cast.reviewer(deciding[0] if deciding else item.department_id, case.applicant_area_code)
    if who is None:
        return False
    handling.decide(
        actor=w.cast.actor(who),
        case=case,
        approve=True,
        result=plausible_result(case, w.rng),
        on=t.next(days),
    )
    return True


def plausible_result(case: Case, rng: random.Random) -> dict[str, str]:
    """What a reviewer decides along with the approval (a first 残疾人证's category and grade):
    the suggested value where there is one, else a pick among the choices."""
    result = {}
    for spec in results.fields_for(case):
        if spec.initial:
            result[spec.name] = spec.initial
        elif spec.kind == results.CHOICE:
            result[spec.name] = rng.choice(spec.choices)
    return result


def finish(w: World, case: Case, t: Timeline, *, close: bool = True, days: int = 0) -> None:
    """Deliver (items with a delivery step: by post or electronically, so no extra trip) and
    close."""
    item = item_of(case)
    clerk = w.cast.actor(clerk_of(w, case))
    if any(s.kind == "deliver" for s in item.steps.all()):
        method = w.rng.choice(["post", "electronic"])
        handling.deliver(actor=clerk, case=case, method=method, on=t.next(days))
        days = 0
    if close:
        handling.close(actor=clerk, case=case, on=t.next(days))
