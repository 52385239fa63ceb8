"""Demo data for `bianmin seed`: applicants' ratings of the demo city's delivered and closed
cases (if there are any), their bad reviews worked part of the way through rectification, and
a few complaints about the street centres — all through the services, so the dashboard, the
task list and the complaint list show what a month looks like.

Runs again safely: rated cases are not rated twice, complaints are added only to an empty list.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction

from bianmin.cases.models import Case, CaseStatus
from bianmin.core.audit import Actor
from bianmin.evaluation import services
from bianmin.evaluation.models import Complaint, RatingLevel, RectificationTask, Stage
from bianmin.evaluation.services.common import HANDLER_ROLES
from bianmin.registry.access import actor_for
from bianmin.registry.models import DivisionLevel, OrgUnit, OrgUnitKind, Person, Staff

LOADER = Actor(name="bianmin seed")
# Roughly what local 好差评 reports publish: mostly 非常满意, a few per cent bad.
LEVEL_WEIGHTS = {5: 62, 4: 21, 3: 10, 2: 5, 1: 2}
GOOD_WORDS = ("", "", "服务热情，一次办好", "窗口人员讲解耐心", "材料一次告知清楚，不用跑第二趟")
BAD_WORDS = (
    "材料没有一次告知清楚，多跑了一趟",
    "等候时间太长，窗口只开了一个",
    "工作人员态度生硬",
    "办结短信收到了，但领取时又让补签字",
)
COMPLAINTS = (
    "中午十二点到两点大厅无人值守，白跑一趟",
    "自助机长期故障，无人维修",
    "预约了上午九点，到现场仍要重新取号排队",
)


def _handler(task: RectificationTask) -> Staff | None:
    """Someone at the responsible centre who was not rated in the review."""
    rated = set(task.rating.staff_ratings.values_list("staff_id", flat=True))
    return (
        Staff.objects.select_related("user", "org_unit__division")
        .filter(org_unit_id=task.org_unit_id, role__in=HANDLER_ROLES)
        .exclude(pk__in=rated)
        .order_by("pk")
        .first()
    )


def _work_on(task: RectificationTask, rng: random.Random) -> None:
    """Take a bad review part of the way: some verified, some answered, some closed."""
    staff = _handler(task)
    if staff is None:
        return
    actor = actor_for(staff.user)
    depth = rng.choice((0, 1, 2, 3, 4))
    steps = (
        lambda: services.verify_task(
            actor=actor, task=task, founded=True, notes="电话回访申请人，调阅窗口录像，情况属实"
        ),
        lambda: services.rectify_task(
            actor=actor, task=task, notes="对窗口人员批评教育，重新学习一次性告知制度"
        ),
        lambda: services.answer_task(
            actor=actor, task=task, answer="经核实情况属实，已对窗口人员批评教育并完善告知单"
        ),
        lambda: services.task_feedback(
            actor=actor, task=task, satisfied=True, notes="回访申请人，表示满意"
        ),
    )
    for step in steps[:depth]:
        step()


def _phone(case: Case) -> str:
    if case.applicant_person_id is not None:
        return case.applicant_person.phone
    return case.applicant_org.phone if case.applicant_org else ""


def _rate_cases(rng: random.Random) -> tuple[int, int]:
    rated = bad = 0
    cases = (
        Case.unscoped.filter(
            status__in=[CaseStatus.DELIVERED, CaseStatus.CLOSED], rating__isnull=True
        )
        .select_related("applicant_person", "applicant_org")
        .order_by("pk")
    )
    levels, weights = list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values())
    for case in cases:
        phone = _phone(case)
        if len(phone) != 11:  # an organisation's landline cannot reply by SMS
            continue
        level = rng.choices(levels, weights)[0]
        words = BAD_WORDS if level <= RatingLevel.DISSATISFIED else GOOD_WORDS
        with transaction.atomic():
            rating = services.rate_case(
                actor=LOADER,
                case=case,
                level=level,
                channel="sms",
                phone=phone,
                comment=rng.choice(words),
            )
            rated += 1
            if rating.is_bad:
                bad += 1
                _work_on(rating.task, rng)
    return rated, bad


def _complain(rng: random.Random) -> int:
    if Complaint.unscoped.exists():
        return 0
    centres = list(
        OrgUnit.objects.filter(
            kind=OrgUnitKind.SERVICE_CENTRE, division__level=DivisionLevel.TOWN
        ).order_by("code")[: len(COMPLAINTS)]
    )
    made = 0
    for centre, content in zip(centres, COMPLAINTS, strict=False):
        resident = (
            Person.unscoped.filter(area_code__startswith=centre.division.prefix)
            .exclude(phone="")
            .order_by("pk")
            .first()
        )
        if resident is None:
            continue
        result = services.submit_complaint(
            actor=LOADER,
            channel=rng.choice(("phone", "portal")),
            complainant_name=resident.name,
            content=content,
            subject_kind="org_unit",
            org_unit_code=centre.code,
            person=resident,
        )
        made += result.created
    return made


def load_demo_evaluation(
    *, seed: int = 42, log: Callable[[str], None] | None = None
) -> dict[str, int]:
    rng = random.Random(f"{seed}:evaluation")
    rated, bad = _rate_cases(rng)
    complaints = _complain(rng)
    totals = {
        "ratings": rated,
        "bad": bad,
        "open_tasks": RectificationTask.unscoped.exclude(status=Stage.CLOSED).count(),
        "complaints": complaints,
    }
    if log is not None:
        if not rated:
            log("好差评 evaluation: 暂无已办结的演示办件，未生成评价 / no closed cases to rate")
        log(
            f"好差评 evaluation: {rated} 条评价（差评 {bad} 条，"
            f"待办整改 {totals['open_tasks']} 件），{complaints} 件投诉"
        )
    return totals
