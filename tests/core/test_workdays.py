"""The working-day calendar against real holiday notices of the State Council (国务院办公厅关于
部分节假日安排的通知). Every expected date below is worked out from the notice quoted above the
test and a wall calendar, never by calling the function under test."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from bianmin.core import workdays
from bianmin.core.models import AuditEntry, WorkdayOverride, WorkdayYear
from bianmin.core.workdays import (
    CalendarNotCovered,
    CalendarResult,
    add_workdays,
    add_workdays_provisional,
    is_workday,
    next_workday,
    workdays_between,
    workdays_between_provisional,
)

D = dt.date.fromisoformat
NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知"


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The snapshot is per process; a test must neither see nor leave another test's rows.
    workdays.invalidate_cache()
    yield
    workdays.invalidate_cache()


def _enter_2027_new_year(actor) -> None:
    # As the 2027 notice will most likely read: 元旦 1月1日（周五）至3日（周日）放假.
    for day in ("2027-01-01", "2027-01-02", "2027-01-03"):
        workdays.set_override(actor=actor, day=D(day), is_workday=False, name="元旦")


@pytest.mark.django_db
class TestRealHolidays:
    # 2024 春节: 2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。
    # 除夕 2月9日 (Friday) was NOT a statutory day off in 2024: employers were only "encouraged"
    # to let staff rest, so the office is open and it counts.
    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            ("2024-02-08", 1, "2024-02-09"),  # 除夕, a working Friday
            ("2024-02-09", 1, "2024-02-18"),  # straight over the 8 days off to the working Sunday
            ("2024-02-09", 2, "2024-02-19"),
            ("2024-02-02", 1, "2024-02-04"),  # Friday → the working Sunday before the festival
            ("2024-02-02", 2, "2024-02-05"),
            ("2024-02-10", 0, "2024-02-18"),  # n=0 on a holiday: the next working day
            ("2024-02-09", 0, "2024-02-09"),  # n=0 on a working day: that day
            ("2024-02-01", 10, "2024-02-20"),  # 2, 4, 5, 6, 7, 8, 9, 18, 19, 20
        ],
    )
    def test_spring_festival_2024(self, start, n, expected):
        assert add_workdays(D(start), n) == D(expected)

    # 2025 国庆节、中秋节: 10月1日至8日放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            ("2025-09-26", 1, "2025-09-28"),  # Friday → working Sunday
            ("2025-09-30", 1, "2025-10-09"),
            ("2025-09-30", 2, "2025-10-10"),
            ("2025-09-30", 3, "2025-10-11"),  # working Saturday
            ("2025-09-30", 4, "2025-10-13"),
            ("2025-10-05", 0, "2025-10-09"),
        ],
    )
    def test_national_day_2025(self, start, n, expected):
        assert add_workdays(D(start), n) == D(expected)

    # 2025 劳动节: 5月1日至5日放假调休，共5天。4月27日（周日）上班。
    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            ("2025-04-25", 1, "2025-04-27"),
            ("2025-04-25", 2, "2025-04-28"),
            ("2025-04-30", 1, "2025-05-06"),
        ],
    )
    def test_may_day_2025(self, start, n, expected):
        assert add_workdays(D(start), n) == D(expected)

    # 2026 春节: 2月15日（腊月二十八，周日）至23日（正月初七，周一）放假调休，共9天。
    # 2月14日（周六）、2月28日（周六）上班。
    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            ("2026-02-13", 1, "2026-02-14"),
            ("2026-02-14", 1, "2026-02-24"),  # the Monday 02-23 is still off
            ("2026-02-27", 1, "2026-02-28"),
            ("2026-02-27", 2, "2026-03-02"),
        ],
    )
    def test_spring_festival_2026(self, start, n, expected):
        assert add_workdays(D(start), n) == D(expected)

    def test_is_workday_and_next_workday(self):
        assert is_workday(D("2024-02-04")) is True  # Sunday, 调休上班
        assert is_workday(D("2024-02-09")) is True  # 除夕 2024
        assert is_workday(D("2024-02-16")) is False  # Friday inside the festival
        assert is_workday(D("2025-09-27")) is False  # ordinary Saturday
        assert is_workday(D("2026-02-23")) is False  # Monday, 正月初七
        assert next_workday(D("2025-09-30")) == D("2025-10-09")
        assert next_workday(D("2024-02-17")) == D("2024-02-18")

    def test_workdays_between_counts_half_open_interval(self):
        # (2025-09-26, 2025-10-13]: 9-28 Sun, 9-29, 9-30, 10-09, 10-10, 10-11 Sat, 10-13.
        assert workdays_between(D("2025-09-26"), D("2025-10-13")) == 7
        assert workdays_between(D("2025-10-13"), D("2025-09-26")) == -7  # overdue by 7
        assert workdays_between(D("2025-10-13"), D("2025-10-13")) == 0
        # Across New Year: 12-31 (Tue) works, 2025-01-01 off, 01-02 (Thu) works.
        assert workdays_between(D("2024-12-30"), D("2025-01-02")) == 2

    def test_whole_years(self):
        # 2024: 262 weekdays − 19 weekday holidays + 8 调休 weekends = 251.
        assert workdays_between(D("2023-12-31"), D("2024-12-31")) == 251
        # 2025: 261 weekdays − 18 weekday holidays + 5 调休 weekends = 248.
        assert workdays_between(D("2024-12-31"), D("2025-12-31")) == 248
        assert add_workdays(D("2023-12-31"), 251) == D("2024-12-31")

    def test_add_and_between_agree(self):
        start = D("2024-09-10")
        for n in range(1, 400, 7):
            assert workdays_between(start, add_workdays(start, n)) == n

    def test_negative_n_and_datetimes_are_refused(self):
        with pytest.raises(ValueError):
            add_workdays(D("2025-01-02"), -1)
        # 2025-10-08 23:30 UTC is already the 9th in Shanghai: callers must pick the local day.
        with pytest.raises(TypeError, match="localdate"):
            add_workdays(dt.datetime(2025, 10, 8, 23, 30, tzinfo=dt.UTC), 1)


@pytest.mark.django_db
class TestUncoveredYears:
    def test_package_range(self):
        assert workdays.PACKAGE_YEARS.stop - 1 == 2026
        assert workdays.is_covered(2026) and not workdays.is_covered(2027)

    def test_last_day_of_covered_year_still_works(self):
        # 2026-12-30 is a Wednesday; the 31st (Thursday) is the last day the package knows.
        assert add_workdays(D("2026-12-30"), 1) == D("2026-12-31")

    def test_due_date_in_2027_is_refused(self):
        with pytest.raises(CalendarNotCovered) as caught:
            add_workdays(D("2026-12-30"), 2)
        error = caught.value
        assert isinstance(error, ValidationError)
        assert error.code == "calendar_not_covered" and error.year == 2027
        assert "2027年" in error.messages[0]
        with pytest.raises(CalendarNotCovered):
            workdays_between(D("2026-12-20"), D("2027-01-05"))
        with pytest.raises(CalendarNotCovered):
            is_workday(D("2027-03-01"))
        with pytest.raises(CalendarNotCovered) as before_package:
            add_workdays(D("2003-06-02"), 1)
        assert before_package.value.year == 2003

    def test_provisional_variant_guesses_and_says_so(self):
        # Guess for 2027: Monday–Friday. 2027-01-01 is a Friday — almost surely 元旦 off in the
        # real notice, which is exactly why the result is marked provisional.
        assert add_workdays_provisional(D("2026-12-30"), 2) == CalendarResult(
            D("2027-01-01"), provisional=True, uncovered_years=(2027,)
        )
        assert add_workdays_provisional(D("2024-02-09"), 1) == CalendarResult(D("2024-02-18"))
        count = workdays_between_provisional(D("2026-12-30"), D("2027-01-04"))
        assert count == CalendarResult(3, provisional=True, uncovered_years=(2027,))

    def test_overrides_entered_but_unpublished_refine_the_guess(self, system_actor):
        _enter_2027_new_year(system_actor)
        result = add_workdays_provisional(D("2026-12-30"), 2)
        assert result.value == D("2027-01-04") and result.provisional
        with pytest.raises(CalendarNotCovered):
            add_workdays(D("2026-12-30"), 2)

    def test_published_year_is_covered(self, system_actor):
        _enter_2027_new_year(system_actor)
        workdays.publish_year(actor=system_actor, year=2027, source=NOTICE_2027)

        assert workdays.is_covered(2027)
        assert add_workdays(D("2026-12-30"), 2) == D("2027-01-04")
        assert add_workdays_provisional(D("2026-12-30"), 2) == CalendarResult(D("2027-01-04"))
        assert workdays_between(D("2026-12-30"), D("2027-01-04")) == 2
        # 2028 is still unknown.
        with pytest.raises(CalendarNotCovered) as caught:
            add_workdays(D("2027-12-30"), 5)
        assert caught.value.year == 2028

        workdays.withdraw_year(actor=system_actor, year=2027)
        with pytest.raises(CalendarNotCovered):
            add_workdays(D("2026-12-30"), 2)

    def test_publishing_needs_entries_and_an_uncovered_year(self, system_actor):
        with pytest.raises(ValidationError) as empty:
            workdays.publish_year(actor=system_actor, year=2028, source=NOTICE_2027)
        assert empty.value.code == "calendar_year_empty"
        with pytest.raises(ValidationError) as in_package:
            workdays.publish_year(actor=system_actor, year=2026, source="x")
        assert in_package.value.code == "calendar_year_in_package"
        assert not WorkdayYear.objects.exists()


@pytest.mark.django_db
class TestOverrides:
    def test_local_day_off_and_working_saturday_in_a_covered_year(self, system_actor):
        # A local decision: the centre closes on Thursday 2025-10-09 and opens on Saturday 10-18.
        workdays.set_override(
            actor=system_actor, day=D("2025-10-09"), is_workday=False, name="本地调整"
        )
        assert add_workdays(D("2025-09-30"), 1) == D("2025-10-10")
        workdays.set_override(actor=system_actor, day=D("2025-10-18"), is_workday=True)
        # (2025-10-13, 2025-10-20]: 14, 15, 16, 17, 18 (Sat, opened), 20.
        assert workdays_between(D("2025-10-13"), D("2025-10-20")) == 6

        workdays.remove_override(actor=system_actor, day=D("2025-10-09"))
        assert add_workdays(D("2025-09-30"), 1) == D("2025-10-09")

    def test_edits_are_audited_and_update_in_place(self, system_actor):
        workdays.set_override(actor=system_actor, day=D("2027-02-05"), is_workday=False)
        workdays.set_override(
            actor=system_actor, day=D("2027-02-05"), is_workday=False, name="春节", note="除夕"
        )
        assert WorkdayOverride.objects.get().name == "春节"
        actions = list(
            AuditEntry.objects.filter(object_type="workday_override", object_id="2027-02-05")
            .order_by("pk")
            .values_list("action", flat=True)
        )
        assert actions == ["create", "update"]

    def test_invalid_override_is_refused_and_nothing_saved(self, system_actor):
        with pytest.raises(ValidationError):
            workdays.set_override(
                actor=system_actor, day=D("2027-02-05"), is_workday=False, name="春" * 41
            )
        assert not WorkdayOverride.objects.exists()
        assert not AuditEntry.objects.filter(object_type="workday_override").exists()


@pytest.mark.django_db
class TestCache:
    def test_adding_200_working_days_costs_at_most_two_queries(self, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):
            # 2024-01-02 + 200 working days, across Spring Festival, Qingming, May Day, Dragon
            # Boat, Mid-autumn and National Day.
            due = add_workdays(D("2024-01-02"), 200)
        assert workdays_between(D("2024-01-02"), due) == 200

    def test_a_case_list_of_thousands_runs_without_queries(self, django_assert_num_queries):
        add_workdays(D("2025-01-02"), 1)  # warm the snapshot
        received = [D("2025-01-02") + dt.timedelta(days=i % 300) for i in range(5000)]
        with django_assert_num_queries(0):
            due = [add_workdays(r, 20) for r in received]
            remaining = [workdays_between(D("2025-06-30"), d) for d in due]
        assert len(remaining) == 5000

    def test_saving_an_override_invalidates_the_snapshot(self, system_actor):
        assert add_workdays(D("2025-09-30"), 1) == D("2025-10-09")  # cached now
        workdays.set_override(actor=system_actor, day=D("2025-10-09"), is_workday=False)
        assert add_workdays(D("2025-09-30"), 1) == D("2025-10-10")
        WorkdayOverride.objects.filter(date=D("2025-10-09")).delete()  # signals fire per row
        assert add_workdays(D("2025-09-30"), 1) == D("2025-10-09")

    def test_a_rolled_back_override_never_reaches_the_cache(self, system_actor):
        with pytest.raises(RuntimeError), transaction.atomic():
            workdays.set_override(actor=system_actor, day=D("2025-10-09"), is_workday=False)
            assert add_workdays(D("2025-09-30"), 1) == D("2025-10-10")
            raise RuntimeError("abort")
        assert add_workdays(D("2025-09-30"), 1) == D("2025-10-09")

    def test_commit_invalidates_again(self, system_actor, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            workdays.set_override(actor=system_actor, day=D("2025-10-09"), is_workday=False)
        assert workdays.invalidate_cache in callbacks

    def test_other_processes_catch_up_after_the_ttl(self, settings):
        # bulk_create sends no signal: it stands for a write made by another server.
        add_workdays(D("2025-09-30"), 1)
        WorkdayOverride.objects.bulk_create(
            [WorkdayOverride(date=D("2025-10-09"), is_workday=False)]
        )
        assert add_workdays(D("2025-09-30"), 1) == D("2025-10-09")  # stale within the TTL
        settings.BIANMIN = {**settings.BIANMIN, "WORKDAY_CACHE_SECONDS": 0}
        assert add_workdays(D("2025-09-30"), 1) == D("2025-10-10")
