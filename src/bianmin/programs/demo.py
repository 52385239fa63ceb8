"""Demo data for `bianmin seed`: two non-health programs on the engine — 独居老人关爱走访
(70岁以上空巢、独居老人, monthly home visits by the grid worker) and 困难家庭走访 (低保、特困,
quarterly) — with a year of visit histories recorded through `record_visit` by the grid
worker of each person's grid, a few missed months so the due lists have overdue rows.

Runs again safely: programs are defined by code, and an enrolment with visits is not visited
again.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.programs.models import Enrolment, EnrolmentStatus
from bianmin.programs.schedule import add_months
from bianmin.programs.services import auto_enrol_sweep, define_program, record_visit
from bianmin.registry.access import actor_for
from bianmin.registry.models import Grid, Role, Staff

LOADER = Actor(name="bianmin seed")
MAX_VISITED = 160  # enrolments per program given a history (keeps seeding quick)

ELDERLY_FORM = [
    {
        "key": "living",
        "label": "居住情况",
        "type": "choice",
        "required": True,
        "choices": [["alone", "独居"], ["couple", "与配偶同住"], ["carer", "有照护人"]],
    },
    {"key": "safe_home", "label": "居家安全（水电气）", "type": "bool", "required": True},
    {
        "key": "health",
        "label": "身体状况",
        "type": "choice",
        "required": True,
        "choices": [["good", "良好"], ["fair", "一般"], ["poor", "较差"]],
    },
    {"key": "meals", "label": "助餐服务", "type": "bool"},
    {"key": "emergency_contact", "label": "紧急联系人已确认", "type": "bool", "required": True},
    {"key": "needs", "label": "服务需求", "type": "text", "max_length": 200},
]
ASSISTANCE_FORM = [
    {
        "key": "household_size",
        "label": "共同生活人数",
        "type": "int",
        "min": 1,
        "max": 20,
        "required": True,
    },
    {
        "key": "income",
        "label": "家庭月收入",
        "type": "decimal",
        "unit": "元",
        "min": 0,
        "max": 100000,
        "required": True,
    },
    {"key": "changed", "label": "家庭状况有变化", "type": "bool", "required": True},
    {"key": "needs", "label": "困难诉求", "type": "text", "max_length": 200},
]
NEEDS = (
    "",
    "",
    "",
    "希望提供助餐服务",
    "需要上门理发",
    "家中水龙头漏水，已联系物业",
    "行动不便，希望代办医保报销",
    "希望安装紧急呼叫设备",
)


def define_demo_programs() -> None:
    define_program(
        actor=LOADER,
        code="elderly-alone-visit",
        name="独居老人关爱走访",
        description="对辖区70岁以上空巢、独居老人每月入户或电话走访一次，了解居家安全、"
        "身体状况和服务需求。",
        sector="elderly",
        eligibility={"min_age": 70, "tags_all": ["left-behind-elder"]},
        enrolment_mode="auto",
        schedule_kind="every_n_months",
        interval_months=1,
        first_visit_days=15,
        form_schema=ELDERLY_FORM,
        outcomes=[["ok", "情况正常"], ["followup", "需跟进"], ["referred", "已转介服务"]],
        responsible_unit_kind="centre",
        responsible_role=Role.GRID_WORKER,
    )
    define_program(
        actor=LOADER,
        code="hardship-household-visit",
        name="困难家庭走访",
        description="对低保对象、特困供养人员每季度走访一次，核实家庭状况和困难诉求。",
        sector="assistance",
        eligibility={"tags_any": ["dibao", "tekun"]},
        enrolment_mode="auto",
        schedule_kind="every_n_months",
        interval_months=3,
        counted_kinds=["home"],
        form_schema=ASSISTANCE_FORM,
        outcomes=[["ok", "情况属实"], ["changed", "状况变化待复核"]],
        responsible_unit_kind="centre",
        responsible_role=Role.GRID_WORKER,
    )


def _workers() -> dict[str, Staff]:
    """Grid code → the grid worker who visits there."""
    out: dict[str, Staff] = {}
    for grid in Grid.unscoped.prefetch_related("workers__staff"):
        for user in grid.workers.all():
            staff = getattr(user, "staff", None)
            if staff is not None and staff.role == Role.GRID_WORKER:
                out.setdefault(grid.code, staff)
    return out


def _answers(code: str, rng: random.Random) -> tuple[dict, str]:
    if code == "elderly-alone-visit":
        health = rng.choices(["good", "fair", "poor"], weights=[5, 4, 1])[0]
        data = {
            "living": rng.choices(["alone", "couple", "carer"], weights=[6, 3, 1])[0],
            "safe_home": rng.random() > 0.05,
            "health": health,
            "meals": rng.random() < 0.3,
            "emergency_contact": True,
            "needs": rng.choice(NEEDS),
        }
        return data, "followup" if health == "poor" or data["needs"] else "ok"
    changed = rng.random() < 0.08
    data = {
        "household_size": rng.randint(1, 5),
        "income": str(rng.choice([800, 1200, 1500, 1860, 2100])),
        "changed": changed,
        "needs": rng.choice(("", "", "子女上学费用困难", "医疗支出较大")),
    }
    return data, "changed" if changed else "ok"


def load_demo_programs(*, seed: int, log: Callable[[str], None]) -> None:
    define_demo_programs()
    today = timezone.localdate()
    start = add_months(today, -13)
    counts = auto_enrol_sweep(on=start)
    rng = random.Random(f"{seed}:programs")
    workers = _workers()
    visits = 0
    for code in ("elderly-alone-visit", "hardship-household-visit"):
        enrolments = (
            Enrolment.unscoped.filter(
                program__code=code, status=EnrolmentStatus.ACTIVE, visit_count=0
            )
            .select_related("program", "person")
            .order_by("id")[:MAX_VISITED]
        )
        for e in enrolments:
            staff = workers.get(e.person.grid_id or "")
            if staff is None:
                continue
            actor = actor_for(staff.user)
            step = e.program.interval_months
            first = e.enrolled_on + dt.timedelta(days=rng.randint(3, 14))
            k = 0
            while (due := add_months(first, k * step)) <= today:
                k += 1
                day = min(today, max(e.enrolled_on, due + dt.timedelta(days=rng.randint(-4, 6))))
                # Most visits on time; the latest one sometimes not yet done.
                if due > add_months(today, -step) and rng.random() < 0.35:
                    continue
                if rng.random() < 0.04:  # a month missed now and then
                    continue
                data, outcome = _answers(code, rng)
                kind = "home" if code != "elderly-alone-visit" or rng.random() < 0.7 else "phone"
                record_visit(
                    actor=actor, enrolment=e, visited_on=day, kind=kind, data=data,
                    outcome=outcome,
                )  # fmt: skip
                visits += 1
    log(f"programs: {counts['enrolled']} enrolled, {visits} visits")
