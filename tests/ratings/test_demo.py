"""The demo loader: a year so far of published months for the demo districts' centres, the
year's notices; a second run adds nothing."""

from __future__ import annotations

import pytest

from bianmin.ratings.demo import load_demo_ratings
from bianmin.ratings.models import MonthlyRating, SelfAssessment, YearNotice

pytestmark = pytest.mark.django_db


def test_demo_ratings(clock, street_centre, village_centre):
    lines: list[str] = []
    load_demo_ratings(seed=7, log=lines.append)
    # 2026-11-20: January to October, both centres, all published.
    assert MonthlyRating.unscoped.count() == 20
    assert not MonthlyRating.unscoped.filter(published_at__isnull=True).exists()
    assert SelfAssessment.unscoped.count() >= 14
    assert {n.centre_id for n in YearNotice.unscoped.all()} <= {
        street_centre.code,
        village_centre.code,
    }
    assert "20 条月度星级" in lines[0]
    load_demo_ratings(seed=7)
    assert MonthlyRating.unscoped.count() == 20


def test_demo_without_centres_does_nothing(clock):
    load_demo_ratings(seed=7)
    assert not MonthlyRating.unscoped.exists() and not YearNotice.unscoped.exists()
