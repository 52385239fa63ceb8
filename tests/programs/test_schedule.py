from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from bianmin.programs.schedule import add_months, expected_in_period, match_plan, next_due


def program(**kw):
    base = dict(
        schedule_kind="every_n_months",
        interval_months=3,
        plan_offsets=[],
        plan_anchor="birth",
        plan_window_days=30,
        yearly_due="12-31",
        first_visit_days=30,
    )
    return SimpleNamespace(**{**base, **kw})


CHILD = program(schedule_kind="plan", plan_offsets=[1, 3, 6, 8, 12, 18, 24, 30, 36])
BORN = dt.date(2024, 1, 31)


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 12, 15), 1) == dt.date(2025, 1, 15)


def test_every_n_months():
    p = program()
    enrolled = dt.date(2025, 1, 10)
    assert next_due(p, birth_date=BORN, enrolled_on=enrolled, visits=[]) == dt.date(2025, 2, 9)
    visits = [dt.date(2025, 2, 1), dt.date(2025, 5, 3)]
    assert next_due(p, birth_date=BORN, enrolled_on=enrolled, visits=visits) == dt.date(2025, 8, 3)
    assert next_due(
        p, birth_date=BORN, enrolled_on=enrolled, visits=visits, override=dt.date(2025, 5, 17)
    ) == dt.date(2025, 5, 17)


def test_yearly_due_by_the_day_of_each_year():
    p = program(schedule_kind="yearly", yearly_due="06-30")
    assert next_due(p, birth_date=BORN, enrolled_on=dt.date(2025, 1, 5), visits=[]) == dt.date(
        2025, 6, 30
    )
    # Enrolled after this year's day: a first visit within the first-visit window.
    assert next_due(p, birth_date=BORN, enrolled_on=dt.date(2025, 9, 1), visits=[]) == dt.date(
        2025, 10, 1
    )
    assert next_due(
        p, birth_date=BORN, enrolled_on=dt.date(2025, 1, 5), visits=[dt.date(2025, 3, 1)]
    ) == dt.date(2026, 6, 30)


def test_plan_points_for_children():
    enrolled = BORN
    assert next_due(CHILD, birth_date=BORN, enrolled_on=enrolled, visits=[]) == dt.date(2024, 2, 29)
    on_time = [dt.date(2024, 3, 2), dt.date(2024, 4, 30)]
    assert next_due(CHILD, birth_date=BORN, enrolled_on=enrolled, visits=on_time) == dt.date(
        2024, 7, 31
    )
    # The 3- and 6-month check-ups were missed; a visit at 8 months counts for 8, next is 12.
    late = [dt.date(2024, 3, 2), dt.date(2024, 9, 30)]
    assert next_due(CHILD, birth_date=BORN, enrolled_on=enrolled, visits=late) == dt.date(
        2025, 1, 31
    )


def test_plan_moved_in_child_owes_no_past_points_and_completes():
    enrolled = dt.date(2026, 3, 10)  # 25 months old, the 24-month window closed
    assert next_due(CHILD, birth_date=BORN, enrolled_on=enrolled, visits=[]) == dt.date(2026, 7, 31)
    visits = [dt.date(2026, 7, 20), dt.date(2027, 1, 30)]
    assert next_due(CHILD, birth_date=BORN, enrolled_on=enrolled, visits=visits) is None


def test_match_plan_ignores_visits_before_the_window():
    points = [dt.date(2024, 6, 1), dt.date(2024, 12, 1)]
    assert match_plan(points, [dt.date(2024, 3, 1)], 30) == 0
    assert match_plan(points, [dt.date(2024, 5, 10)], 30) == 1


def test_expected_in_period():
    p = program()
    year = dict(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert (
        expected_in_period(
            p, birth_date=BORN, enrolled_on=dt.date(2020, 1, 1), exited_on=None, **year
        )
        == 4
    )
    assert (
        expected_in_period(
            p, birth_date=BORN, enrolled_on=dt.date(2025, 7, 1), exited_on=None, **year
        )
        == 2
    )
    assert (
        expected_in_period(
            p,
            birth_date=BORN,
            enrolled_on=dt.date(2020, 1, 1),
            exited_on=dt.date(2025, 2, 1),
            **year,
        )
        == 0
    )
    y = program(schedule_kind="yearly")
    assert (
        expected_in_period(
            y,
            birth_date=BORN,
            enrolled_on=dt.date(2020, 1, 1),
            exited_on=None,
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 11, 30),
        )
        == 0
    )
    assert (
        expected_in_period(
            CHILD,
            birth_date=BORN,
            enrolled_on=BORN,
            exited_on=None,
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 12, 31),
        )
        == 4
    )


def test_expected_counts_completed_intervals_only():
    monthly, quarterly = program(interval_months=1), program(interval_months=3)
    period = dict(start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 22))
    args = dict(birth_date=BORN, enrolled_on=dt.date(2020, 1, 1), exited_on=None)
    # The November visit is not owed before the month is out.
    assert expected_in_period(monthly, **args, **period) == 10
    assert expected_in_period(quarterly, **args, **period) == 3
