"""A month computed from real records: cases the 大智 centre closed (办件规范) and the
residents' 好差评 of them (群众满意 through evaluation.stars), with the self-assessment used
only for the dimensions the platform does not measure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bianmin.core.audit import Actor
from bianmin.evaluation.services import rate_case
from bianmin.ratings import services
from tests.evaluation import conftest as evaluation_fixtures
from tests.ratings.conftest import FULL

pytestmark = pytest.mark.django_db

applicant = evaluation_fixtures.applicant
cases = evaluation_fixtures.cases
clock = evaluation_fixtures.clock
dazhi_clerk = evaluation_fixtures.dazhi_clerk
elderly_item = evaluation_fixtures.elderly_item
mz_reviewer = evaluation_fixtures.mz_reviewer
resident = evaluation_fixtures.resident

SMS = Actor(name="sms gateway")
ACTOR = Actor(name="pytest")


def test_month_from_cases_and_ratings(clock, cases, dazhi_clerk, resident, settings):
    settings.BIANMIN = {**settings.BIANMIN, "STAR_MIN_RATINGS": 2}
    closed = [cases.closed(dazhi_clerk, resident) for _ in range(3)]
    for case, level in zip(closed, (5, 5, 4), strict=True):
        rate_case(actor=SMS, case=case, level=level, channel="sms", phone=resident.phone)
    centre = closed[0].org_unit
    services.submit_self_assessment(
        actor=ACTOR,
        centre=centre.code,
        month="2026-09",
        scores=dict.fromkeys(FULL, "12"),
        on=dt.date(2026, 9, 29),
    )
    [rating] = [
        r
        for r in services.compute_month(actor=ACTOR, month="2026-09", on=dt.date(2026, 9, 30))
        if r.centre_id == centre.code
    ]
    # Closed on their due date or earlier: 3/3 on time → 20, from the system, not the 12.
    assert rating.sources["conduct"]["source"] == "system"
    assert rating.sources["conduct"]["system"]["closed"] == 3
    assert rating.scores["conduct"] == "20.0"
    # All satisfied, nothing overdue: five 好差评 stars → 20.
    assert rating.sources["satisfaction"]["system"]["stars"] == 5
    assert rating.scores["satisfaction"] == "20.0"
    # No bad review, so no rectification to time: 服务优质 falls back to the self score.
    assert rating.sources["service"]["source"] == "self"
    assert rating.scores["service"] == "12.0"
    assert rating.total == Decimal("76.0") and rating.stars == 3
