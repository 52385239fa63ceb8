"""Demo cases for `bianmin seed`: six weeks of work at the demo city's centres, so the case
lists, "my work", supervision and the evaluation pages have something real to show.

About 150 cases across the demo catalogue, taken in at the city centre, the 江岸区 and 江汉区
centres, the 大智街道 and 民族街街道 365 centres, through the village agents, and online — each
carried through the real services with back-dated acts (`on=`), so the history, the due dates
and the counts are exactly what those services produce. About half are closed (a few late);
the rest are in review (some yellow, a few red), returned for supplement, accepted under a
容缺 pledge (one overdue), waiting for precheck online, 我要开餐馆 bundles, a 公示 stopping
the clock, an extension waiting for the supervisor, cases beyond 最多跑一次, and reviews
waiting for named reviewers — one assigned to a reviewer on leave, whom her B岗 (`mz_jiangan`)
stands in for. The warning sweep runs last.

Deterministic for a seed (and the day it runs). Runs once: a database that has cases already
is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bianmin.cases.demo_acts import (
    Story,
    Timeline,
    World,
    apply,
    apply_accepted,
    clerk_of,
    decide,
    finish,
    review,
)
from bianmin.cases.demo_cast import (
    SUPERVISOR,
    Applicants,
    Cast,
    Clock,
    complete_materials,
    deficient,
)
from bianmin.cases.models import Case, CaseStatus, ConsentMethod, IntakeChannel, ReviewStatus
from bianmin.cases.services import (
    absences,
    acceptance,
    bundles,
    deadlines,
    handling,
    intake,
    visits,
)
from bianmin.cases.services.intake import AgentConsent
from bianmin.cases.services.pledges import PledgeInput
from bianmin.cases.services.precheck import Applicant
from bianmin.cases.services.rules import items_for_intake
from bianmin.catalog.models import Bundle
from bianmin.registry.models import Person
from bianmin.sharing.demo import arrange_consents, arrange_sharing

# Items with a time limit (and most with reviews) where the fate needs one; 即办件 for the rest.
REVIEWED = ("MZ-003", "MZ-004", "RS-004", "RS-005", "GA-001", "SCJG-002", "CL-001", "MZ-002")
LIMITED = (*REVIEWED, "GA-002", "WJ-004")
QUICK = ("MZ-005", "WJ-001", "WJ-003", "WJ-005", "GA-003", "RS-001", "YB-001", "RS-003", "WJ-002")
# (fate, how many, the items it draws from)
PLAN: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("closed", 44, LIMITED),
    ("closed", 3, ("WJ-004",)),
    ("closed", 22, QUICK),
    ("closed_late", 8, ("MZ-003", "MZ-004", "GA-001", "RS-004", "SCJG-002")),
    ("over_visits", 3, ("MZ-003", "GA-001", "CL-001")),
    ("delivered", 6, ("GA-001", "SCJG-002", "CL-001")),
    ("decided", 4, ("MZ-004", "RS-005", "MZ-003")),
    ("green", 14, (*REVIEWED, "MZ-001", "MZ-006", "WJ-004")),
    ("yellow", 5, ("MZ-003", "MZ-004", "RS-005", "GA-001")),
    ("red", 4, ("MZ-003", "MZ-004", "GA-001")),
    ("assigned", 3, ("MZ-003", "MZ-002", "MZ-003")),
    ("assigned_absent", 1, ("MZ-003",)),
    ("returned_intake", 5, ("MZ-003", "MZ-001", "GA-001", "CL-001", "RS-004")),
    ("returned_review", 3, ("MZ-004", "RS-005", "GA-001")),
    ("resubmitted", 2, ("MZ-003", "GA-001")),
    ("pledge_overdue", 1, ("MZ-003",)),
    ("pledge_open", 1, ("SCJG-002",)),
    ("pledge_fulfilled", 1, ("MZ-003",)),
    ("online_waiting", 6, ("MZ-003", "MZ-004", "RS-004", "GA-001", "WJ-003", "MZ-005")),
    ("refused", 2, ("MZ-003", "GA-001")),
    ("terminated", 1, ("MZ-004",)),
    ("suspended", 2, ("MZ-001",)),
    ("resumed", 1, ("MZ-001",)),
    ("extension_pending", 2, ("MZ-001", "CL-001")),
    ("extension_approved", 1, ("MZ-002",)),
    ("agent_wuli", 1, ("RS-004",)),
    ("bundle", 2, ("LB-CANYIN",)),
)


def plan(rng: random.Random) -> list[Story]:
    stories = [
        Story(fate, rng.choice(items) if fate == "closed" else items[k % len(items)])
        for fate, count, items in PLAN
        for k in range(count)
    ]
    rng.shuffle(stories)
    return stories


# --- fates ----------------------------------------------------------------------------------


def _start(w: World, elapsed: int) -> int:
    """The intake day that leaves `elapsed` working days until today."""
    return max(0, w.clock.last - elapsed)


def _limit(w: World, story: Story) -> int:
    return w.items[story.item].promised_limit_days


def _done(
    w: World, story: Story, *, late: bool = False, close: bool = True, trips: int = 0
) -> Case | None:
    """Taken in, reviewed, decided, delivered and (unless `close=False`) closed within the
    promised working days — or a few past them (`late`); `trips`: the applicant came back
    that many times in between (beyond 最多跑一次)."""
    p = _limit(w, story)
    span = min(p + w.rng.randint(1, 3) if late else (w.rng.randint(1, p) if p else 0), 20)
    # A result delivered but not yet closed is recent: delivered cases still count as running.
    latest = max(0, w.clock.last - span - 1)
    t = Timeline(w, w.rng.randint(0, latest) if close else latest)
    start = t.day
    case = apply_accepted(w, story, t, window=trips > 0)
    if case is None:
        return None
    groups = len({r.parallel_group for r in case.reviews.all()})
    step = span // (groups + 2) if span else 0
    review(w, case, t, spread=step)
    clerk = w.cast.actor(clerk_of(w, case))
    for purpose in ("咨询办理进度", "补交原件核验")[:trips]:
        visits.record_visit(actor=clerk, case=case, purpose=purpose, on=t.next())
    if decide(w, case, t, days=step):
        finish(w, case, t, close=close, days=max(0, start + span - t.day))
    return case


def _running(w: World, story: Story, elapsed: int, *, leave: int = 1) -> Case | None:
    """Taken in `elapsed` working days ago and still in review (`leave` reviews open)."""
    t = Timeline(w, _start(w, elapsed))
    case = apply_accepted(w, story, t)
    if case is not None:
        review(w, case, t, leave=leave)
    return case


def fate(w: World, story: Story) -> Case | None:
    rng, p = w.rng, _limit(w, story) if story.item in w.items else 0
    match story.fate:
        case "closed":
            return _done(w, story)
        case "closed_late":
            return _done(w, story, late=True)
        case "over_visits":
            return _done(w, story, trips=2)
        case "delivered":
            return _done(w, story, close=False)
        case "decided":
            t = Timeline(w, _start(w, rng.randint(1, max(1, p - 1))))
            case = apply_accepted(w, story, t)
            if case is not None:
                review(w, case, t)
                decide(w, case, t)
            return case
        case "green":
            return _running(w, story, rng.randint(0, max(0, p - p // 5 - 1)))
        case "yellow":
            return _running(w, story, rng.randint(p - p // 5, p))
        case "red":
            return _running(w, story, p + rng.randint(1, 4))
        case "assigned" | "assigned_absent":
            return _assigned(w, story, absent=story.fate == "assigned_absent")
        case "returned_intake" | "resubmitted":
            return _returned(w, story)
        case "returned_review":
            return _returned_by_review(w, story)
        case "pledge_overdue" | "pledge_open" | "pledge_fulfilled":
            return _pledged(w, story)
        case "online_waiting":
            return apply(w, story, Timeline(w, _start(w, rng.randint(0, 2))), online=True)
        case "refused" | "terminated":
            return _ended(w, story)
        case "suspended" | "resumed":
            return _public_notice(w, story, resumed=story.fate == "resumed")
        case "extension_pending" | "extension_approved":
            return _extension(w, story, approve=story.fate == "extension_approved")
        case "agent_wuli":
            return _wuli(w, story)
        case "bundle":
            return _bundle(w, story)
    raise ValueError(story.fate)


def _assigned(w: World, story: Story, *, absent: bool) -> Case | None:
    """A 民政 review of a 大智街道 resident named to `mz_jiangan` (A岗) — or to `mz_jiangan_b`,
    on leave this week, so `mz_jiangan` (her B岗) has it in "my work" too."""
    if not w.cast.has("mz_jiangan", "mz_jiangan_b"):
        return None
    t = Timeline(w, _start(w, w.rng.randint(1, 4)))
    case = apply_accepted(w, story, t, centre="BMZX-420102002000")
    if case is None:
        return None
    who = "mz_jiangan_b" if absent else "mz_jiangan"
    r = case.reviews.filter(status=ReviewStatus.OPEN).order_by("seq").first()
    handling.assign_review(
        actor=w.cast.actor(who), review=r, assignee=w.cast.staff[who], on=t.next()
    )
    if absent:
        today = w.clock.today
        absences.mark_absent(
            actor=w.cast.actor(who),
            staff=w.cast.staff[who],
            start=today - dt.timedelta(days=2),
            end=today + dt.timedelta(days=4),
            reason="年休假",
        )
    return case


def _returned(w: World, story: Story) -> Case | None:
    """补正 (an essential material missing) — told at the window, or by the street clerk after
    the online precheck; `resubmitted`: brought a few days later, accepted, in review."""
    item = w.items[story.item]
    missing = deficient(item, essential=True)
    given = [c for c in complete_materials(item) if c != missing]
    back = story.fate == "resubmitted"
    t = Timeline(w, _start(w, w.rng.randint(3, 8) if back else w.rng.randint(0, 5)))
    case = apply(w, story, t, provided=given)
    if case is None:
        return None
    clerk = w.cast.actor(clerk_of(w, case))
    if case.status == CaseStatus.SUBMITTED:
        acceptance.return_for_supplement(actor=clerk, case=case, on=t.next(1))
    if not back:
        return case
    acceptance.resubmit(
        actor=clerk, case=case, provided=[missing], channel=story.channel, on=t.next(2)
    )
    acceptance.accept(actor=clerk, case=case, on=t.next())
    review(w, case, t, leave=1)
    return case


def _returned_by_review(w: World, story: Story) -> Case | None:
    """Accepted, then a reviewer sends it back: a certificate is out of date."""
    t = Timeline(w, _start(w, w.rng.randint(1, 4)))
    case = apply_accepted(w, story, t)
    if case is None:
        return None
    r = case.reviews.filter(status=ReviewStatus.OPEN).order_by("seq").first()
    who = w.cast.reviewer(r.department_id, case.applicant_area_code)
    submitted = list(case.materials.filter(source="submitted").values_list("code", flat=True))
    handling.act_on_review(
        actor=w.cast.actor(who),
        review=r,
        decision="return",
        opinion="所附材料不清晰或已过期，请补交近三个月内的材料",
        missing=submitted[-1:],
        on=t.next(1),
    )
    return case


def _pledged(w: World, story: Story) -> Case | None:
    """容缺受理: a non-essential material promised by a date — overdue, still open, or
    uploaded in time and the case then closed."""
    item = w.items[story.item]
    missing = deficient(item, essential=False)
    given = [c for c in complete_materials(item) if c != missing]
    overdue, fulfilled = story.fate == "pledge_overdue", story.fate == "pledge_fulfilled"
    t = Timeline(w, _start(w, 12 if overdue else (6 if fulfilled else 2)))
    day = w.clock.days[t.day]
    due = day + dt.timedelta(days=5 if overdue else 12)
    pledge = PledgeInput((missing,), due)
    case = apply(w, story, t, provided=given, pledge=pledge, online=False)
    if case is None:
        return None
    if fulfilled:
        clerk = w.cast.actor(clerk_of(w, case))
        acceptance.fulfil_pledge(
            actor=clerk, case=case, provided=[missing], channel="online", on=t.next(2)
        )
        review(w, case, t)
        if decide(w, case, t):
            finish(w, case, t, days=1)
    else:
        review(w, case, t)  # every review done: the decision waits for the pledge
    return case


def _ended(w: World, story: Story) -> Case | None:
    """不予受理 after the online precheck (not this centre's matter), or 终止 (withdrawn)."""
    refused = story.fate == "refused"
    t = Timeline(w, _start(w, w.rng.randint(2, 10)))
    case = apply(w, story, t, online=refused or None)
    if case is None:
        return None
    clerk = w.cast.actor(clerk_of(w, case))
    if refused:
        acceptance.refuse_acceptance(
            actor=clerk,
            case=case,
            reason="申请人户籍不在本街道，不属于本中心受理范围，已告知向户籍地街道申请",
            on=t.next(1),
        )
    else:
        handling.terminate(actor=clerk, case=case, reason="申请人书面申请撤回", on=t.next(2))
    return case


def _public_notice(w: World, story: Story, *, resumed: bool) -> Case | None:
    """低保: the first reviews done, then 公示 (seven days) stops the clock — still running,
    or over and the last review open."""
    t = Timeline(w, _start(w, w.rng.randint(12, 16) if resumed else w.rng.randint(5, 8)))
    case = apply_accepted(w, story, t)
    if case is None:
        return None
    review(w, case, t, leave=1)
    who = w.cast.actor(w.cast.reviewer("MZ", case.applicant_area_code))
    deadlines.suspend(
        actor=who,
        case=case,
        kind="public_notice",
        reason="低保申请家庭情况在村（社区）公示7天",
        on=t.next(1),
    )
    if resumed:
        deadlines.resume(actor=who, case=case, on=t.next(5))
    return case


def _extension(w: World, story: Story, *, approve: bool) -> Case | None:
    """延期 asked for near the due date (入户核查 takes longer); approved by the supervisor,
    or waiting for him."""
    p = _limit(w, story)
    t = Timeline(w, _start(w, max(1, p - w.rng.randint(1, 3))))
    case = apply_accepted(w, story, t)
    if case is None:
        return None
    review(w, case, t, leave=1)
    first = case.reviews.order_by("seq").first()
    who = w.cast.actor(w.cast.reviewer(first.department_id, case.applicant_area_code))
    extension = deadlines.request_extension(
        actor=who,
        case=case,
        workdays=10,
        reason="需入户核查家庭经济状况，申请延期10个工作日",
        on=t.next(1),
    )
    if approve:
        deadlines.decide_extension(
            actor=w.cast.actor(SUPERVISOR),
            extension=extension,
            approve=True,
            note="同意延期",
            on=t.next(),
        )
    return case


def _wuli(w: World, story: Story) -> Case | None:
    """The 黄陂区 village agent files a 城乡居民养老保险 registration for someone whose 户籍 is
    there (or, in a city seeded without such people, anyone)."""
    if not w.cast.has("dby_wuli"):
        return None
    item = w.items[story.item]
    today = w.clock.today
    person = w.people.person(item, registered="420116", today=today) or w.people.person(
        item, today=today
    )
    if person is None:
        return None
    t = Timeline(w, _start(w, w.rng.randint(0, 3)))
    agent = w.cast.actor("dby_wuli")
    applicant = Applicant(person=person)
    intake.audit_lookup(agent, applicant)
    return intake.take_in(
        actor=agent,
        item=item,
        applicant=applicant,
        provided=complete_materials(item, applicant),
        channel=IntakeChannel.AGENT,
        agent_consent=AgentConsent(ConsentMethod.SMS, t.now() - dt.timedelta(hours=3)),
        on=t.now(),
    ).case


def _bundle(w: World, story: Story) -> Case | None:
    """我要开餐馆 at the 大智街道 centre: the first one licensed and closed, the second in
    review."""
    bundle, items = bundles.resolve_bundle(story.item)
    first = not Case.unscoped.filter(bundle_application__isnull=False).exists()
    t = Timeline(w, _start(w, 8 if first else 1))
    person = w.people.person(items[0], area="420102", today=w.clock.today)
    if person is None:
        return None
    clerk = w.cast.actor("ck_dazhi")
    applicant = Applicant(person=person)
    intake.audit_lookup(clerk, applicant)
    result = bundles.take_in_bundle(
        actor=clerk,
        bundle=bundle,
        items=items,
        applicant=applicant,
        provided=sorted({c for item in items for c in complete_materials(item, applicant)}),
        channel=IntakeChannel.WINDOW,
        on=t.now(),
    )
    for case in result.cases:
        case_t = Timeline(w, t.day)
        review(w, case, case_t, leave=0 if first else 1)
        if first and decide(w, case, case_t):
            finish(w, case, case_t, days=1)
    return result.cases[0]


# --- the loader -----------------------------------------------------------------------------


def load_demo_cases(
    *, seed: int = 42, log: Callable[[str], None] | None = None, today: dt.date | None = None
) -> dict[str, int]:
    """Build the demo cases (see the module's docstring); returns counts by status."""
    if Case.unscoped.exists():
        if log is not None:
            log("办件 cases: 数据库中已有办件，未生成演示办件 / cases exist already, none added")
        return {}
    rng = random.Random(f"{seed}:cases")
    cast = Cast()
    if not cast.has("ck_dazhi", "mz_jiangan", SUPERVISOR):
        if log is not None:
            log("办件 cases: 缺少演示账号，未生成演示办件 / demo accounts missing, none added")
        return {}
    # Intake fetches shared materials before it decides: the sharing the city's departments
    # work under is in place first.
    person = Person.unscoped.order_by("id").first()
    if person is not None:
        arrange_sharing(city=person.area_code[:4], seed=seed)
        arrange_consents(seed=seed)
    items = {i.code: i for i in items_for_intake().filter(is_current=True)}
    w = World(rng, cast, Clock(today or timezone.localdate()), Applicants(rng), items)
    skipped = 0
    for story in plan(rng):
        if story.fate != "bundle" and story.item not in items:
            skipped += 1
            continue
        if story.fate == "bundle" and not Bundle.objects.filter(code=story.item).exists():
            skipped += 1
            continue
        try:
            with transaction.atomic():
                if fate(w, story) is None:
                    skipped += 1
        except ValidationError:
            skipped += 1  # the demo city's data did not allow it (too few people …)
    report = deadlines.sweep_deadlines()
    counts = dict(Counter(Case.unscoped.values_list("status", flat=True)))
    if log is not None:
        total = sum(counts.values())
        log(
            f"办件 cases: {total} 件（已办结 {counts.get('closed', 0)}，审查中 "
            f"{counts.get('in_review', 0)}，补正中 {counts.get('returned', 0)}，待预审 "
            f"{counts.get('submitted', 0)}；黄灯 {report.changed.get('yellow', 0)}，"
            f"红灯 {report.changed.get('red', 0)}）" + (f"，跳过 {skipped}" if skipped else "")
        )
    return {**counts, "skipped": skipped}
