"""Evaluation fixtures: the case fixtures (大智街道 and 民族街街道 centres, the 保成社区 agent,
民政 reviewers, the city supervisor, residents, the clock) and cases taken all the way to
办结 through the real case services."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.cases.models import Case
from bianmin.cases.services import handling, intake
from bianmin.cases.services.intake import AgentConsent
from bianmin.cases.services.precheck import Applicant
from tests import factories
from tests.cases import builders
from tests.cases import conftest as case_fixtures
from tests.cases.conftest import as_actor
from tests.conftest import DAZHI_STREET

# The case fixtures, shared (a conftest only reaches its own directory and those below).
applicant = case_fixtures.applicant
baocheng_agent = case_fixtures.baocheng_agent
clock = case_fixtures.clock
dazhi_clerk = case_fixtures.dazhi_clerk
elderly_item = case_fixtures.elderly_item
jianghan_resident = case_fixtures.jianghan_resident
minzu_clerk = case_fixtures.minzu_clerk
mz_reviewer = case_fixtures.mz_reviewer
resident = case_fixtures.resident
supervisor = case_fixtures.supervisor


@pytest.fixture(autouse=True)
def _sharing(sharing_arranged):
    """Intake fetches shared materials before it decides: the city's grants are in place."""


@pytest.fixture
def dazhi_clerk2(db):
    """A second window clerk at 大智街道, who hands results out."""
    return factories.staff("dazhi_clerk2", role="clerk", division=DAZHI_STREET)


@pytest.fixture
def street_supervisor(db):
    """A supervisor of 大智街道: not city level."""
    return factories.staff("dazhi_supervisor", role="supervisor", division=DAZHI_STREET)


class CaseMaker:
    """Takes a case in at a window (or through an agent) and on to decided, delivered, closed."""

    def __init__(self, item, reviewer):
        self.item, self.reviewer = item, reviewer

    def accepted(self, clerk, person, *, agent: bool = False) -> Case:
        extra = {}
        if agent:
            extra["agent_consent"] = AgentConsent("written", dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
        return intake.take_in(
            actor=as_actor(clerk),
            item=self.item,
            applicant=Applicant(person=person),
            provided=builders.COMPLETE,
            channel="agent" if agent else "window",
            **extra,
        ).case

    def closed(self, clerk, person, *, deliverer=None, close: bool = True, agent=False) -> Case:
        case = self.accepted(clerk, person, agent=agent)
        reviewer = as_actor(self.reviewer)
        for review in case.reviews.all():
            handling.act_on_review(actor=reviewer, review=review, decision="approve")
        handling.decide(actor=reviewer, case=case, approve=True)
        # An agent hands the result over in the village; otherwise a street clerk.
        handling.deliver(actor=as_actor(deliverer or clerk), case=case, method="window")
        if close:
            handling.close(actor=as_actor(deliverer or clerk), case=case)
        return Case.unscoped.get(pk=case.pk)


@pytest.fixture
def cases(db, elderly_item, mz_reviewer) -> CaseMaker:
    return CaseMaker(elderly_item, mz_reviewer)


@pytest.fixture
def closed_case(clock, cases, dazhi_clerk, resident) -> Case:
    """王秀英's 高龄津贴 case, accepted and closed at 大智街道 on 2026-09-29."""
    return cases.closed(dazhi_clerk, resident)
