"""Read models of the programs engine: the due lists workers live in, and coverage for
supervisors. Every query goes through the scoped managers, so a worker sees their own area
(and a restricted program only within its department) without any view doing it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from bianmin.core.errors import OutOfScope
from bianmin.core.scope import current_scope
from bianmin.programs import rules, schedule
from bianmin.programs.models import Enrolment, EnrolmentStatus, Program, Visit
from bianmin.registry.models import Division, Grid, Person, Role

BUCKETS = ("overdue", "today", "week", "all")


def programs_for_role(role: str | None) -> QuerySet[Program]:
    """Active programs a role works on: its own, those without a responsible role; all for
    administrators and the system."""
    qs = Program.objects.filter(active=True)
    if role and role != Role.ADMIN:
        qs = qs.filter(Q(responsible_role="") | Q(responsible_role=role))
    return qs


def due_list(
    *,
    bucket: str = "all",
    program: Program | None = None,
    role: str | None = None,
    on: dt.date | None = None,
) -> QuerySet[Enrolment]:
    """Active enrolments in the acting user's area whose follow-up is due: `overdue` (before
    today), `today`, `week` (today and the six days after) or `all` (overdue or due within the
    week), earliest first. One range scan of the partial (area_code, next_due_on) index.

    For long lists page through its ids (`.values_list("pk", flat=True)`, which drops the
    joins) and load the page's rows with `with_details`: sorting a township's thousands of
    rows must not drag the person row of each along (bench/programs_due.py)."""
    on = on or timezone.localdate()
    qs = Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE)
    if bucket == "overdue":
        qs = qs.filter(next_due_on__lt=on)
    elif bucket == "today":
        qs = qs.filter(next_due_on=on)
    elif bucket == "week":
        qs = qs.filter(next_due_on__gte=on, next_due_on__lte=on + dt.timedelta(days=6))
    else:
        qs = qs.filter(next_due_on__lte=on + dt.timedelta(days=6))
    if program is not None:
        qs = qs.filter(program=program)
    elif role and role != Role.ADMIN:
        qs = qs.filter(program_id__in=list(programs_for_role(role).values_list("pk", flat=True)))
    return qs.select_related("program", "person", "responsible_unit").order_by("next_due_on", "id")


def with_details(ids: list[int]) -> list[Enrolment]:
    """The enrolments `ids` (one page of a due list), in that order, with program, person and
    responsible unit loaded."""
    rows = Enrolment.objects.select_related("program", "person", "responsible_unit").in_bulk(ids)
    return [rows[i] for i in ids if i in rows]


def due_counts(
    *, role: str | None = None, program: Program | None = None, on: dt.date | None = None
) -> dict[str, int]:
    """The size of each bucket of `due_list`, in one aggregate."""
    on = on or timezone.localdate()
    qs = due_list(bucket="all", program=program, role=role, on=on).order_by()
    agg = qs.aggregate(
        overdue=Count("id", filter=Q(next_due_on__lt=on)),
        today=Count("id", filter=Q(next_due_on=on)),
        week=Count("id", filter=Q(next_due_on__gte=on)),
    )
    agg["all"] = agg["overdue"] + agg["week"]
    return agg


def person_enrolments(person: Person) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(person=person)
        .select_related("program", "responsible_unit")
        .order_by("status", "-enrolled_on")
    )


def visits_of(enrolment: Enrolment) -> QuerySet[Visit]:
    return Visit.objects.filter(enrolment=enrolment).order_by("-visited_on", "-id")


# --- Coverage --------------------------------------------------------------------------------

# Length of an area code → length of its children's codes (a grid is the leaf).
CHILD_LENGTH = {0: 4, 2: 4, 4: 6, 6: 9, 9: 12, 12: 14}


@dataclass
class CoverageRow:
    area_code: str
    name: str
    eligible: int = 0
    enrolled: int = 0
    expected: int = 0  # enrolments the schedule asked something of in the period
    on_schedule: int = 0
    drillable: bool = False

    @property
    def enrolment_rate(self) -> float | None:
        return round(100 * self.enrolled / self.eligible, 1) if self.eligible else None

    @property
    def schedule_rate(self) -> float | None:
        return round(100 * self.on_schedule / self.expected, 1) if self.expected else None


@dataclass
class Coverage:
    program: Program
    area_code: str
    start: dt.date
    end: dt.date
    rows: list[CoverageRow] = field(default_factory=list)
    total: CoverageRow | None = None
    behind: list[int] = field(default_factory=list)  # enrolment ids behind schedule


def _labels(codes: set[str]) -> dict[str, str]:
    labels = dict(Division.objects.filter(prefix__in=codes).values_list("prefix", "name"))
    for g in Grid.unscoped.filter(code__in=codes).select_related("community"):
        labels[g.code] = str(g)
    return labels


def coverage(
    *,
    program: Program,
    area_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Coverage:
    """Per child area of `area_code` (default: the user's area): eligible people, active
    enrolments (管理率 = enrolled / eligible) and enrolments followed up as the schedule asked
    in [start, end] (规范随访率 = on schedule / expected). Default period: this year so far."""
    scope = current_scope.get()
    own = scope.area_prefix if scope is not None and scope.area_prefix is not None else ""
    area = own if area_code is None else area_code
    if scope is not None and not (scope.covers(area) or (own == "" and not scope.denied)):
        raise OutOfScope()
    end = end or timezone.localdate()
    start = start or dt.date(end.year, 1, 1)
    n = CHILD_LENGTH.get(len(area), len(area))
    child = Substr("area_code", 1, n)

    people = Person.objects.filter(area_code__startswith=area) if area else Person.objects.all()
    eligible = dict(
        rules.eligible_people(program.eligibility, on=end, manager=people)
        .annotate(child=child)
        .values("child")
        .annotate(c=Count("id"))
        .values_list("child", "c")
    )
    enrolments = Enrolment.objects.filter(program=program, area_code__startswith=area)
    enrolled = dict(
        enrolments.filter(status=EnrolmentStatus.ACTIVE)
        .annotate(child=child)
        .values("child")
        .annotate(c=Count("id"))
        .values_list("child", "c")
    )
    in_period = enrolments.filter(enrolled_on__lte=end).filter(
        Q(exited_on__isnull=True) | Q(exited_on__gte=start)
    )
    visits = Visit.objects.filter(
        enrolment__program=program, area_code__startswith=area, visited_on__range=(start, end)
    )
    if program.counted_kinds:
        visits = visits.filter(kind__in=program.counted_kinds)
    done = dict(
        visits.values("enrolment_id").annotate(c=Count("id")).values_list("enrolment_id", "c")
    )
    expected: dict[str, int] = {}
    on_schedule: dict[str, int] = {}
    behind: list[int] = []
    for pk, code, enrolled_on, exited_on, birth in in_period.annotate(child=child).values_list(
        "pk", "child", "enrolled_on", "exited_on", "person__birth_date"
    ):
        want = schedule.expected_in_period(
            program,
            birth_date=birth,
            enrolled_on=enrolled_on,
            exited_on=exited_on,
            start=start,
            end=end,
        )
        if want == 0:
            continue
        expected[code] = expected.get(code, 0) + 1
        if done.get(pk, 0) >= want:
            on_schedule[code] = on_schedule.get(code, 0) + 1
        else:
            behind.append(pk)
    codes = set(eligible) | set(enrolled) | set(expected)
    labels = _labels(codes)
    report = Coverage(program=program, area_code=area, start=start, end=end, behind=sorted(behind))
    total = CoverageRow(area_code=area, name=_labels({area}).get(area, area or "—"))
    for code in sorted(codes):
        row = CoverageRow(
            area_code=code,
            name=labels.get(code, code),
            eligible=eligible.get(code, 0),
            enrolled=enrolled.get(code, 0),
            expected=expected.get(code, 0),
            on_schedule=on_schedule.get(code, 0),
            drillable=len(code) in CHILD_LENGTH and len(code) > len(area),
        )
        report.rows.append(row)
        for f in ("eligible", "enrolled", "expected", "on_schedule"):
            setattr(total, f, getattr(total, f) + getattr(row, f))
    report.total = total
    return report
