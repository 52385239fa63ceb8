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
from tests.evaluation import test_stats as evaluation_stats
from tests.ratings.conftest import FULL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sharing_arranged")]

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


# --- the ratings' figures by centre are those the supervision / 好差评 dashboards show --------


# A centre with nothing running and nothing closed in the month has no supervision row.
NO_CONDUCT = {"closed": 0, "closed_on_time": 0, "rate": None, "points": None}


def _from_read_models(month: str, on: dt.date) -> dict[str, dict[str, dict]]:
    """The figures the supervision and 好差评 dashboards show per centre (system-wide: no
    viewer scope), as the star ratings score them: cases.queries.counts_by and
    evaluation.queries.by_org_unit — all three read the indicator library, so they agree."""
    from bianmin.cases import queries as case_queries
    from bianmin.evaluation import queries as evaluation_queries
    from bianmin.indicators.library import Period
    from bianmin.ratings import scheme

    def rate(value):
        return None if value is None else Decimal(str(value))

    period = Period.parse(month).as_of(on)
    figures: dict[str, dict[str, dict]] = {}
    for row in case_queries.counts_by("centre", period=period):
        if row["centre"] is None:
            continue
        # The ratings write the conduct rate as Python's float rounding gives it ("1.0").
        r = rate(None if row["on_time_rate"] is None else float(row["on_time_rate"]))
        figures.setdefault(row["centre"], {})["conduct"] = {
            "closed": row["closed"],
            "closed_on_time": row["closed_on_time"],
            "rate": str(r) if r is not None else None,
            "points": str(scheme.one_decimal(r * 20)) if r is not None else None,
        }
    for fig in evaluation_queries.by_org_unit(period=period):
        if fig.key is None:
            continue
        entry = figures.setdefault(fig.key, {})
        r = fig.on_time_rate
        entry["service"] = {
            "rectified_on_time": fig.on_time,
            "overdue": fig.overdue,
            "rate": str(r) if r is not None else None,
            "points": str(scheme.one_decimal(r * 20)) if r is not None else None,
        }
        entry["satisfaction"] = {
            "ratings": fig.ratings,
            "satisfaction_rate": str(fig.satisfaction_rate)
            if fig.satisfaction_rate is not None
            else None,
            "stars": fig.stars,
            "points": str(scheme.POINTS_PER_STAR * fig.stars) if fig.stars else None,
        }
    for entry in figures.values():
        entry.setdefault("conduct", NO_CONDUCT)
    return figures


jianghan_resident = evaluation_fixtures.jianghan_resident
minzu_clerk = evaluation_fixtures.minzu_clerk
october = evaluation_stats.october  # the 好差评 month of known figures


@pytest.mark.parametrize(
    "on",
    [dt.date(2026, 10, 12), dt.date(2026, 10, 20)],  # the day of the bad reviews, and after
)
def test_ratings_by_centre_equal_the_dashboards(october, settings, on):
    """大智: eight ratings (one bad review answered in time, one left past its limit), a founded
    complaint, eight cases closed; 民族街: one October rating. Same figures both ways, so the
    same scores."""
    from bianmin.ratings.services.months import system_figures

    settings.BIANMIN = {**settings.BIANMIN, "STAR_MIN_RATINGS": 2}
    old = _from_read_models("2026-10", on)
    new = system_figures(month="2026-10", on=on)
    dazhi, minzu = october
    centres = {dazhi[0].org_unit_id, minzu[0].org_unit_id}
    assert centres <= set(new)
    for centre in centres:
        assert new[centre] == old[centre], centre
    assert new[dazhi[0].org_unit_id]["service"]["overdue"] == (1 if on.day == 20 else 0)
    # Every other rated centre: no case, rating or complaint this month — nothing to score.
    for centre, entry in new.items():
        if centre not in centres:
            assert entry == {
                "conduct": {"closed": 0, "closed_on_time": 0, "rate": None, "points": None}
            }


def test_september_and_october_closures(clock, cases, dazhi_clerk, resident):
    """Cases closed in September count for September only, as on the supervision page."""
    from bianmin.ratings.services.months import system_figures

    case = cases.closed(dazhi_clerk, resident)
    centre = case.org_unit_id
    for month, on in (("2026-09", dt.date(2026, 10, 5)), ("2026-10", dt.date(2026, 11, 5))):
        old = _from_read_models(month, on)
        shown = old.get(centre, {"conduct": NO_CONDUCT})["conduct"]
        assert system_figures(month=month, on=on)[centre]["conduct"] == shown
    assert (
        system_figures(month="2026-09", on=dt.date(2026, 10, 5))[centre]["conduct"]["closed"] == 1
    )
