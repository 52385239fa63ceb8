"""Waiting-time figures on a known morning: exact averages and p90, in a fixed number of
queries, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.queueing import queries, services
from bianmin.queueing.aggregates import percentile_cont
from tests.queueing.conftest import MONDAY, local

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + dt.timedelta(days=1)
M = dt.timedelta(minutes=1)


@pytest.fixture
def morning(dazhi, clock, clerk_actor):
    """Monday: A waits 2, 4, 8 (no-show), 10 minutes; A served in 8, 4, 3 minutes; B001 still
    waiting. Tuesday: one A ticket called after a minute."""
    s, actor = services, clerk_actor
    take = lambda cat: s.take_ticket(actor=actor, category=cat)  # noqa: E731
    at = lambda h, m: clock.set(local(MONDAY, h, m))  # noqa: E731
    s.open_window(actor=actor, window=dazhi.w1)
    s.open_window(actor=actor, window=dazhi.w2)
    at(9, 0), take(dazhi.a)
    at(9, 1), take(dazhi.a)
    at(9, 2), take(dazhi.a)
    a001 = s.call_next(actor=actor, window=dazhi.w1)
    at(9, 3), take(dazhi.a)
    at(9, 5)
    a002 = s.call_next(actor=actor, window=dazhi.w2)
    at(9, 6), take(dazhi.b)
    at(9, 9), s.finish(actor=actor, ticket=a002)
    at(9, 10), s.finish(actor=actor, ticket=a001)
    a003 = s.call_next(actor=actor, window=dazhi.w1)
    at(9, 11), s.recall(actor=actor, ticket=a003)
    at(9, 12), s.recall(actor=actor, ticket=a003)
    s.mark_no_show(actor=actor, ticket=a003)
    at(9, 13)
    a004 = s.call_next(actor=actor, window=dazhi.w2)
    assert (a001.number, a002.number, a003.number, a004.number) == ("A001", "A002", "A003", "A004")
    at(9, 16), s.finish(actor=actor, ticket=a004)

    clock.set(local(TUESDAY, 9, 0))
    take(dazhi.a)
    clock.set(local(TUESDAY, 9, 1))
    s.call_next(actor=actor, window=dazhi.w1)
    clock.set(local(MONDAY, 9, 16))
    return dazhi


def test_figures_per_category_and_day(morning, django_assert_num_queries):
    with django_assert_num_queries(2):
        rows = queries.hall_stats(hall=morning.hall, start=MONDAY, end=TUESDAY)
    by_key = {(r.day, r.category.code): r for r in rows}
    assert list(by_key) == [(MONDAY, "A"), (MONDAY, "B"), (TUESDAY, "A")]

    a = by_key[(MONDAY, "A")]
    assert (a.issued, a.served, a.no_shows, a.waiting, a.transferred_in) == (4, 3, 1, 0, 0)
    assert a.avg_wait == 6 * M  # (2 + 4 + 8 + 10) / 4
    # percentile_cont: rank 0.9 × 3 = 2.7, between 8 and 10 minutes → 9.4 minutes.
    assert a.p90_wait == dt.timedelta(minutes=9, seconds=24)
    assert a.avg_service == 5 * M  # (8 + 4 + 3) / 3; the no-show is not a service

    b = by_key[(MONDAY, "B")]
    assert (b.issued, b.served, b.waiting) == (1, 0, 1)
    assert b.avg_wait is None and b.p90_wait is None and b.avg_service is None

    tuesday = by_key[(TUESDAY, "A")]
    assert (tuesday.issued, tuesday.avg_wait, tuesday.p90_wait) == (1, M, M)


def test_live_queue_and_estimated_wait(morning, django_assert_num_queries):
    with django_assert_num_queries(3):
        live = {row.category.code: row for row in queries.hall_live(hall=morning.hall)}
    assert list(live) == ["A", "B", "C", "D"]
    # B: one person ahead, one open window (2) serving B, no B served yet → the default 8 min.
    assert (live["B"].today.waiting, live["B"].open_windows) == (1, 1)
    assert live["B"].estimated_wait_minutes == 8
    assert live["A"].estimated_wait_minutes == 0 and live["A"].open_windows == 2
    # C is served only by window 3, which is closed: no estimate rather than a wrong one.
    assert live["C"].open_windows == 0 and live["C"].estimated_wait_minutes is None
    assert live["D"].today.issued == 0


def test_estimate_uses_todays_service_time():
    assert (
        queries.estimate_wait_minutes(
            waiting=5, open_windows=2, avg_service=dt.timedelta(minutes=3), default_minutes=8
        )
        == 8  # ceil(5 × 3 / 2)
    )


def test_python_percentile_matches_postgresql_definition():
    assert percentile_cont([], 0.9) is None
    assert percentile_cont([7.0], 0.9) == 7.0
    assert percentile_cont([4, 1, 3, 2], 0.5) == 2.5
    assert percentile_cont([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9) == pytest.approx(91)


def test_query_count_does_not_grow_with_categories(morning, django_assert_num_queries, clock):
    actor = None
    from bianmin.core.audit import Actor

    actor = Actor(name="pytest")
    for code in "EFGH":
        cat = services.create_category(actor=actor, hall=morning.hall, code=code, name=code)
        services.take_ticket(actor=actor, category=cat)
    with django_assert_num_queries(2):
        rows = queries.hall_stats(hall=morning.hall, start=MONDAY, end=MONDAY)
    assert len(rows) == 6
    with django_assert_num_queries(3):
        assert len(queries.hall_live(hall=morning.hall)) == 8
