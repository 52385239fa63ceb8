"""The demo loader: ratings for the closed cases there are, tasks worked part of the way,
complaints about the street centres; a second run adds nothing."""

from __future__ import annotations

import pytest

from bianmin.evaluation.demo import load_demo_evaluation
from bianmin.evaluation.models import Complaint, Rating, RectificationTask
from tests import factories
from tests.conftest import DAZHI_STREET

pytestmark = pytest.mark.django_db


def test_no_closed_cases_no_ratings(db):
    lines: list[str] = []
    totals = load_demo_evaluation(log=lines.append)
    assert totals["ratings"] == 0 and not Rating.unscoped.exists()
    assert "no closed cases" in lines[0]


def test_rates_closed_cases_once(clock, cases, dazhi_clerk, resident):
    factories.staff("dazhi_manager", role="clerk", division=DAZHI_STREET)
    closed = [cases.closed(dazhi_clerk, resident) for _ in range(12)]
    still_open = cases.accepted(dazhi_clerk, resident)
    first = load_demo_evaluation(seed=37)
    assert first["ratings"] == 12 == Rating.unscoped.count()
    assert set(Rating.unscoped.values_list("case_id", flat=True)) == {c.pk for c in closed}
    assert not Rating.unscoped.filter(case=still_open).exists()
    # Every bad rating has its task; the loader worked some of them with the centre's manager.
    assert RectificationTask.unscoped.count() == first["bad"] >= 1
    worked = RectificationTask.unscoped.exclude(status="verify")
    assert all(t.steps.exclude(actor_name="dazhi_manager").count() == 1 for t in worked)
    assert first["complaints"] == Complaint.unscoped.count() == 1  # 大智街道's centre
    again = load_demo_evaluation(seed=37)
    assert (again["ratings"], again["complaints"]) == (0, 0)
    assert Rating.unscoped.count() == 12
