"""Programs used across the tests: a hypertension-like program with a typed form (as the
health app defines its own), and the non-health 独居老人关爱走访 of the demo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.programs.services import define_program
from tests import factories
from tests.conftest import BAOCHENG

BP_FORM = [
    {
        "key": "sbp",
        "label": "收缩压",
        "type": "int",
        "unit": "mmHg",
        "min": 60,
        "max": 260,
        "required": True,
    },
    {
        "key": "dbp",
        "label": "舒张压",
        "type": "int",
        "unit": "mmHg",
        "min": 30,
        "max": 160,
        "required": True,
    },
    {"key": "weight", "label": "体重", "type": "decimal", "unit": "kg", "min": 2, "max": 300},
    {"key": "smoker", "label": "吸烟", "type": "bool"},
    {
        "key": "control",
        "label": "控制情况",
        "type": "choice",
        "choices": [["good", "控制满意"], ["poor", "控制不满意"]],
        "required": True,
    },
    {"key": "lab_on", "label": "化验日期", "type": "date"},
    {"key": "advice", "label": "指导", "type": "text", "max_length": 50},
    {"check": "gt", "left": "sbp", "right": "dbp", "message": "收缩压应高于舒张压。"},
]

SYSTEM = Actor(name="pytest")


def years_ago(n: int, *, days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - n)
    except ValueError:  # 29 Feb
        day = today.replace(year=today.year - n, day=28)
    return day - dt.timedelta(days=days)


@pytest.fixture
def bp_program(db):
    return define_program(
        actor=SYSTEM,
        code="test-bp",
        name="高血压随访（测试）",
        sector="health",
        eligibility={"min_age": 35, "tags_all": ["hypertension"]},
        schedule_kind="every_n_months",
        interval_months=3,
        counted_kinds=["clinic", "home"],
        form_schema=BP_FORM,
        outcomes=[["continue", "继续随访"], ["refer", "转诊"]],
        responsible_role="grid",
    )


@pytest.fixture
def elderly_program(db):
    return define_program(
        actor=SYSTEM,
        code="test-elderly",
        name="独居老人关爱走访（测试）",
        sector="elderly",
        eligibility={"min_age": 70, "tags_all": ["left-behind-elder"]},
        enrolment_mode="auto",
        schedule_kind="every_n_months",
        interval_months=1,
        form_schema=[
            {"key": "safe", "label": "居住安全", "type": "bool", "required": True},
            {"key": "needs", "label": "服务需求", "type": "text"},
        ],
        responsible_role="grid",
    )


@pytest.fixture
def hypertensive(db):
    from bianmin.registry.services.people import tag_person

    p = factories.person(community=BAOCHENG, name="李建国", birth=dt.date(1958, 3, 2))
    tag_person(actor=SYSTEM, person=p, tag_code="hypertension", since=dt.date(2020, 1, 1))
    return p


@pytest.fixture
def enrolment(bp_program, hypertensive):
    from bianmin.programs.services import enrol

    return enrol(
        actor=SYSTEM,
        program=bp_program,
        person=hypertensive,
        enrolled_on=timezone.localdate() - dt.timedelta(days=200),
    )
