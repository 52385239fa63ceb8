"""Monthly figures on a known data set (exact satisfaction rates), the star rule, scope, and
the number of queries the dashboard costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bianmin.core.audit import Actor
from bianmin.core.scope import acting_in
from bianmin.evaluation import queries
from bianmin.evaluation.services import (
    answer_task,
    rate_case,
    rectify_task,
    submit_complaint,
    verify_complaint,
    verify_task,
)
from bianmin.evaluation.stars import is_rated_centre, stars
from bianmin.indicators import breakdowns, engine
from bianmin.indicators.library import Period
from bianmin.registry.access import scope_for
from tests import factories
from tests.cases.conftest import as_actor
from tests.conftest import DAZHI_STREET

pytestmark = pytest.mark.django_db
SMS = Actor(name="sms gateway")
ON = dt.date(2026, 10, 20)  # the unanswered task was due 10-19
OCTOBER = Period.parse("2026-10").as_of(ON)


def by_sms(case, person, level, comment=""):
    return rate_case(
        actor=SMS, case=case, level=level, channel="sms", phone=person.phone, comment=comment
    )


@pytest.fixture
def october(clock, cases, dazhi_clerk, minzu_clerk, resident, jianghan_resident):
    """大智街道: eight October ratings 5,5,5,4,4,3,2,1 — one bad review answered in time, one
    left unanswered past its deadline — and a complaint found true. 民族街街道: one October
    rating (5) and one in September that must not count."""
    dazhi = [cases.closed(dazhi_clerk, resident) for _ in range(8)]
    minzu = [cases.closed(minzu_clerk, jianghan_resident) for _ in range(2)]
    clock.set(dt.date(2026, 9, 30))
    by_sms(minzu[0], jianghan_resident, 1, comment="九月的差评")
    clock.set(dt.date(2026, 10, 12))
    for case, level in zip(dazhi, (5, 5, 5, 4, 4, 3, 2, 1), strict=True):
        by_sms(case, resident, level, comment="等候时间太长" if level <= 2 else "")
    by_sms(minzu[1], jianghan_resident, 5)
    manager = as_actor(factories.staff("dazhi_manager", role="clerk", division=DAZHI_STREET))
    answered = dazhi[6].rating.task
    verify_task(actor=manager, task=answered, founded=True, notes="回访核实属实")
    rectify_task(actor=manager, task=answered, notes="增开窗口")
    answer_task(actor=manager, task=answered, answer="已增开窗口")
    hotline = as_actor(factories.staff("hotline", role="clerk", division="420100"))
    complaint = submit_complaint(
        actor=hotline,
        channel="phone",
        complainant_name="王秀英",
        complainant_phone="13912345678",
        content="大厅中午无人值守",
        subject_kind="org_unit",
        org_unit_code=dazhi_clerk.staff.org_unit_id,
    ).complaint
    verify_complaint(actor=manager, complaint=complaint, founded=True, notes="属实")
    return dazhi, minzu


class TestMonthlyFigures:
    def test_totals(self, october):
        totals = queries.totals(period=OCTOBER)
        assert totals.ratings == 9  # the September rating is not October's
        assert totals.by_level == {5: 4, 4: 2, 3: 1, 2: 1, 1: 1}
        assert totals.satisfaction_rate == Decimal("0.7778")  # 7 / 9
        assert (totals.bad, totals.tasks, totals.on_time, totals.overdue) == (2, 2, 1, 1)
        assert totals.on_time_rate == Decimal("0.5000")
        assert (totals.complaints, totals.complaints_founded) == (1, 1)

    def test_per_centre_staff_and_department(self, october, dazhi_clerk, minzu_clerk):
        stats = queries.stats(period="2026-10", on=ON)
        dazhi, minzu, *rest = stats.org_units
        assert rest == []
        assert dazhi.key == dazhi_clerk.staff.org_unit_id and dazhi.levels == [3, 2, 1, 1, 1]
        assert dazhi.satisfaction_rate == Decimal("0.7500")  # 6 / 8, exactly
        assert (dazhi.on_time_rate, dazhi.complaints, dazhi.complaints_founded) == (
            Decimal("0.5000"),
            1,
            1,
        )
        # 75% is below 80%: one star. 民族街 has one rating: too few to rate (min 5).
        assert dazhi.rated_centre and dazhi.stars == 1
        assert minzu.key == minzu_clerk.staff.org_unit_id and minzu.ratings == 1
        assert minzu.rated_centre and minzu.stars is None
        staff = {f.name: f for f in stats.staff}
        assert staff["dazhi_clerk"].ratings == 8 and staff["dazhi_clerk"].bad == 2
        assert staff["dazhi_clerk"].unit == dazhi_clerk.staff.org_unit.name
        assert staff["minzu_clerk"].satisfaction_rate == Decimal("1.0000")
        # The complaint concerns a centre, no department: it is under “未指定部门”, so the
        # rows add up to the totals.
        assert [(d.key, d.ratings, d.complaints) for d in stats.departments] == [
            ("MZ", 9, 0),
            (None, 0, 1),
        ]
        assert stats.departments[1].name == "未指定部门"

    def test_the_figures_are_the_librarys(self, october, dazhi_clerk):
        """Each figure of the dashboard is the indicator's value on the same data: the
        centres' rows as the library's breakdown gives them, the totals as the city's value."""
        stats = queries.stats(period="2026-10", on=ON)
        period = OCTOBER
        city = engine.values_many(queries.RATING_CODES, division="420100", period=period)
        city.update(engine.values_many(queries.COMPLAINT_CODES, division="420100", period=period))
        value = {code: got["420100"] for code, got in city.items()}
        totals = stats.totals
        assert totals.ratings == value["evaluation.ratings"].value
        assert totals.bad == value["evaluation.bad_ratings"].value
        assert totals.satisfaction_rate * 100 == value["evaluation.satisfaction_rate"].value
        rectified = value["evaluation.rectification_on_time_rate"]
        assert (totals.on_time, totals.on_time + totals.overdue) == (
            rectified.numerator,
            rectified.denominator,
        )
        assert totals.complaints_founded == value["evaluation.complaints_founded"].value
        by_centre = breakdowns.breakdown(
            ["evaluation.satisfaction_rate"], by="centre", period=period
        )["evaluation.satisfaction_rate"]
        for fig in stats.org_units:
            got = by_centre.get(fig.key or "")
            if fig.ratings:
                assert fig.satisfaction_rate * 100 == got.value
                assert (fig.satisfied, fig.ratings) == (got.numerator, got.denominator)

    def test_a_quarter_is_one_window(self, october):
        quarter = queries.stats(period="2026-Q3", on=ON)  # July–September: the one rating
        assert quarter.totals.ratings == 1 and quarter.totals.bad == 1
        year = queries.stats(period="2026", on=ON)
        assert year.totals.ratings == 10 and year.month == "2026"

    def test_a_street_supervisor_sees_their_street(self, october, street_supervisor):
        with acting_in(scope_for(street_supervisor)):
            stats = queries.stats(period="2026-10", on=ON)
        assert stats.totals.ratings == 8
        assert [f.name for f in stats.staff] == ["dazhi_clerk"]

    def test_a_fixed_number_of_queries_whatever_the_data(self, october, django_assert_num_queries):
        # totals: 2 (ratings, complaints); per centre 2 + names 1 + kinds 1 + the star
        # setting's none; staff 2; per department 2 + names 1.
        with django_assert_num_queries(11):
            queries.stats(period="2026-10", on=ON)

    def test_the_month_is_checked(self):
        with pytest.raises(ValidationError) as caught:
            queries.month_range("2026-13")
        assert caught.value.error_dict["month"][0].code == "invalid_month"
        assert queries.month_range("2028-02") == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
        with pytest.raises(ValidationError) as caught:
            queries.stats(period="2026-13", on=ON)
        assert caught.value.code == "invalid_period"


class TestStarRule:
    @pytest.mark.parametrize(
        ("satisfied", "ratings", "overdue", "founded", "expected"),
        [
            (49, 50, 0, 0, 5),  # exactly 98%
            (48, 50, 0, 0, 4),  # 96%
            (49, 50, 1, 0, 3),  # an overdue rectification caps at three
            (50, 50, 0, 1, 4),  # a complaint found true caps at four
            (45, 50, 0, 0, 3),  # 90%
            (40, 50, 0, 0, 2),  # 80%
            (39, 50, 0, 0, 1),  # 78%
            (4, 4, 0, 0, None),  # fewer than five ratings: not rated
        ],
    )
    def test_bands_and_caps(self, satisfied, ratings, overdue, founded, expected):
        result = stars(
            ratings=ratings,
            satisfied=satisfied,
            overdue=overdue,
            founded_complaints=founded,
            min_ratings=5,
        )
        assert result == expected

    def test_which_centres_are_rated(self):
        assert is_rated_centre("centre", 4) and is_rated_centre("centre", 5)
        assert not is_rated_centre("centre", 2)  # the city's 政务服务中心
        assert not is_rated_centre("dept", 4)

    def test_a_village_centre_gets_its_stars(
        self, clock, cases, baocheng_agent, resident, settings
    ):
        settings.BIANMIN = {**settings.BIANMIN, "STAR_MIN_RATINGS": 2}
        for _ in range(2):
            case = cases.closed(baocheng_agent, resident, agent=True)
            by_sms(case, resident, 5)
        stats = queries.stats(period="2026-09", on=dt.date(2026, 9, 30))
        (village,) = stats.org_units
        assert village.name.startswith("保成社区") and village.stars == 5
