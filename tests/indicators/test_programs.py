"""Program indicators on a known dataset built through the programs services: two people in
独居老人关爱走访, one visited twice in October, one not visited; one enrolment exited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bianmin.core.audit import Actor
from bianmin.indicators import engine
from bianmin.registry.services.people import tag_person
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING

SYSTEM = Actor(name="pytest")
PERIOD = "2026-10"


@pytest.fixture
def program_data(db):
    from bianmin.programs.services import define_program, enrol, exit_enrolment, record_visit

    program = define_program(
        actor=SYSTEM,
        code="ind-elderly",
        name="独居老人关爱走访（测试）",
        sector="elderly",
        eligibility={"min_age": 70, "tags_all": ["left-behind-elder"]},
        schedule_kind="every_n_months",
        interval_months=1,
        form_schema=[{"key": "safe", "label": "居住安全", "type": "bool", "required": True}],
        responsible_role="grid",
    )
    people = [
        factories.person(community=BAOCHENG, name="孙一", birth=dt.date(1940, 1, 1)),
        factories.person(community=BAOCHENG, name="孙二", birth=dt.date(1941, 1, 1)),
        factories.person(community=TAINING, name="孙三", birth=dt.date(1942, 1, 1)),
    ]
    enrolments = []
    for p in people:
        tag_person(actor=SYSTEM, person=p, tag_code="left-behind-elder", since=dt.date(2020, 1, 1))
        enrolments.append(
            enrol(actor=SYSTEM, program=program, person=p, enrolled_on=dt.date(2026, 9, 1))
        )
    for day in (dt.date(2026, 10, 8), dt.date(2026, 10, 22)):
        record_visit(
            actor=SYSTEM, enrolment=enrolments[0], visited_on=day, kind="home", data={"safe": True}
        )
    record_visit(
        actor=SYSTEM,
        enrolment=enrolments[2],
        visited_on=dt.date(2026, 9, 20),
        kind="home",
        data={"safe": True},
    )
    exit_enrolment(
        actor=SYSTEM, enrolment=enrolments[2], reason="refused", on=dt.date(2026, 10, 15)
    )
    return enrolments


def test_program_indicators(program_data):
    got = engine.values_many(
        [
            "programs.visits",
            "programs.visited_people",
            "programs.enrolled",
            "programs.new_enrolments",
            "programs.exits",
            "programs.visit_rate",
        ],
        division=DAZHI_STREET,
        period=PERIOD,
    )
    assert got["programs.visits"][BAOCHENG].value == 2
    assert got["programs.visited_people"][DAZHI_STREET].value == 1
    assert got["programs.enrolled"][DAZHI_STREET].value == 2  # Taining's exited in October
    assert got["programs.enrolled"][TAINING].value == 0
    assert got["programs.new_enrolments"][DAZHI_STREET].value == 0
    assert got["programs.exits"][TAINING].value == 1
    assert got["programs.visit_rate"][BAOCHENG].value == Decimal("50.00")
    september = engine.values("programs.enrolled", division=DAZHI_STREET, period="2026-09")
    assert september[DAZHI_STREET].value == 3
