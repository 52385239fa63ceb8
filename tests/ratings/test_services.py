"""Self-assessment, 明察暗访, the month's computation and publication, the year's lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bianmin.core.models import AuditEntry
from bianmin.ratings import queries, scheme, services
from bianmin.ratings.models import Inspection, MonthlyRating, SelfAssessment, YearNotice
from bianmin.ratings.services.common import self_deadline
from tests.ratings.conftest import FULL

pytestmark = pytest.mark.django_db


def code_of(e: ValidationError) -> str:
    if hasattr(e, "error_dict"):
        return next(iter(e.error_dict.values()))[0].code
    return e.code


def submit(actor, centre, month, scores=None, on=None):
    return services.submit_self_assessment(
        actor=actor,
        centre=centre.code,
        month=month,
        scores=scores or FULL,
        on=on or self_deadline(month),
    )


# --- the deadline ---------------------------------------------------------------------------


def test_deadline_is_the_30th_and_the_last_day_of_february():
    assert self_deadline("2026-10") == dt.date(2026, 10, 30)
    assert self_deadline("2026-12") == dt.date(2026, 12, 30)
    assert self_deadline("2026-02") == dt.date(2026, 2, 28)
    assert self_deadline("2028-02") == dt.date(2028, 2, 29)


def test_self_assessment_on_the_30th_is_accepted(actor, street_centre):
    item = submit(actor, street_centre, "2026-10", on=dt.date(2026, 10, 30))
    assert item.scores["conduct"] == "20"
    assert AuditEntry.objects.filter(object_type="ratings.selfassessment").count() == 1


def test_self_assessment_after_the_30th_is_refused(actor, street_centre):
    with pytest.raises(ValidationError) as e:
        submit(actor, street_centre, "2026-10", on=dt.date(2026, 10, 31))
    assert code_of(e.value) == "self_late"
    assert not SelfAssessment.objects.exists()


def test_february_deadline_is_the_28th(actor, street_centre):
    with pytest.raises(ValidationError):
        submit(actor, street_centre, "2026-02", on=dt.date(2026, 3, 1))
    assert submit(actor, street_centre, "2026-02", on=dt.date(2026, 2, 28)).pk


@pytest.mark.parametrize("value", ["20.5", "-1", "abc", "NaN"])
def test_score_out_of_range_is_refused(actor, street_centre, value):
    with pytest.raises(ValidationError) as e:
        submit(actor, street_centre, "2026-10", scores={**FULL, "service": value})
    assert code_of(e.value) == "score_range"
    assert not SelfAssessment.objects.exists()


def test_missing_dimension_is_refused(actor, street_centre):
    scores = dict(FULL)
    del scores["integrity"]
    with pytest.raises(ValidationError) as e:
        submit(actor, street_centre, "2026-10", scores=scores)
    assert code_of(e.value) == "score_required"


def test_unit_that_is_not_a_rated_centre_is_refused(actor, district_centre):
    with pytest.raises(ValidationError) as e:
        submit(actor, district_centre, "2026-10")
    assert code_of(e.value) == "not_centre"
    with pytest.raises(ValidationError) as e:
        services.submit_self_assessment(
            actor=actor, centre="NO-SUCH", month="2026-10", scores=FULL, on=dt.date(2026, 10, 5)
        )
    assert code_of(e.value) == "unknown_centre"
    assert not SelfAssessment.objects.exists()


def test_second_self_assessment_of_a_month_is_refused(actor, street_centre):
    submit(actor, street_centre, "2026-10")
    with pytest.raises(ValidationError) as e:
        submit(actor, street_centre, "2026-10")
    assert code_of(e.value) == "self_twice"


def test_inspection_deduction_out_of_range_is_refused(actor, street_centre):
    with pytest.raises(ValidationError) as e:
        services.record_inspection(
            actor=actor,
            centre=street_centre.code,
            inspected_on=dt.date(2026, 10, 12),
            mode="covert",
            supervisor="王敏",
            findings="窗口无人值守二十分钟。",
            deductions={"dedication": "25"},
        )
    assert code_of(e.value) == "score_range"
    assert not Inspection.objects.exists()


# --- computing a month ----------------------------------------------------------------------


def test_known_month(actor, street_centre, village_centre):
    """大智: full marks self-assessed, one visit takes 3 off 爱岗敬业 → 97, five stars.
    保成: 16 on every item → 80, three stars. No cases or ratings: self figures count."""
    submit(actor, street_centre, "2026-10")
    submit(actor, village_centre, "2026-10", scores=dict.fromkeys(FULL, "16"))
    services.record_inspection(
        actor=actor,
        centre=street_centre.code,
        inspected_on=dt.date(2026, 10, 12),
        mode="covert",
        supervisor="王敏",
        findings="窗口无人值守二十分钟。",
        deductions={"dedication": "3"},
    )
    rows = {
        r.centre_id: r
        for r in services.compute_month(actor=actor, month="2026-10", on=dt.date(2026, 11, 5))
    }
    dazhi, baocheng = rows[street_centre.code], rows[village_centre.code]
    assert dazhi.scores["dedication"] == "17.0"
    assert dazhi.total == Decimal("97.0") and dazhi.stars == 5
    assert dazhi.sources["dedication"] == {
        "source": "self",
        "self": "20",
        "system": None,
        "deduction": "3",
    }
    assert baocheng.total == Decimal("80.0") and baocheng.stars == 3


def test_no_self_assessment_scores_zero(actor, street_centre):
    [row] = [
        r
        for r in services.compute_month(actor=actor, month="2026-10", on=dt.date(2026, 11, 5))
        if r.centre_id == street_centre.code
    ]
    assert row.total == 0 and row.stars == 1
    assert row.sources["conduct"]["source"] == "none"


def test_system_figure_outranks_self_assessment():
    score, source = scheme.dimension_score(
        self_score=Decimal(20), system=Decimal("15.5"), deduction=Decimal(2), maximum=Decimal(20)
    )
    assert (score, source) == (Decimal("13.5"), "system")
    score, source = scheme.dimension_score(
        self_score=Decimal(1), system=None, deduction=Decimal(3), maximum=Decimal(20)
    )
    assert score == 0 and source == "self"


@pytest.mark.parametrize(
    ("total", "stars"),
    [("100", 5), ("95", 5), ("94.9", 4), ("85", 4), ("84.9", 3), ("75", 3), ("60", 2), ("59.9", 1)],
)
def test_star_bands(total, stars):
    assert scheme.stars_for(Decimal(total)) == stars


def test_published_month_is_locked(actor, street_centre):
    submit(actor, street_centre, "2026-10")
    services.compute_month(actor=actor, month="2026-10", on=dt.date(2026, 11, 5))
    assert services.publish_month(actor=actor, month="2026-10") >= 1
    before = list(MonthlyRating.objects.values_list("pk", "total"))
    with pytest.raises(ValidationError) as e:
        services.compute_month(actor=actor, month="2026-10", on=dt.date(2026, 11, 6))
    assert code_of(e.value) == "month_locked"
    with pytest.raises(ValidationError):
        services.record_inspection(
            actor=actor,
            centre=street_centre.code,
            inspected_on=dt.date(2026, 10, 20),
            mode="open",
            supervisor="王敏",
            findings="办事指南未更新。",
            deductions={"conduct": "1"},
        )
    assert list(MonthlyRating.objects.values_list("pk", "total")) == before


def test_publish_before_computing_is_refused(actor):
    with pytest.raises(ValidationError) as e:
        services.publish_month(actor=actor, month="2026-10")
    assert code_of(e.value) == "nothing_to_publish"


def test_future_month_is_refused(actor):
    with pytest.raises(ValidationError) as e:
        services.compute_month(actor=actor, month="2026-12", on=dt.date(2026, 11, 5))
    assert code_of(e.value) == "future_month"


# --- the year's lists -----------------------------------------------------------------------


def _year(actor, street_centre, village_centre, five_star_months: int):
    """2025: 大智 five stars in `five_star_months` months and four in the rest of twelve;
    保成 always below five."""
    for n in range(1, 13):
        month = f"2025-{n:02d}"
        good = n <= five_star_months
        submit(actor, street_centre, month, scores=FULL if good else dict.fromkeys(FULL, "18"))
        submit(actor, village_centre, month, scores=dict.fromkeys(FULL, "18"))
        services.compute_month(actor=actor, month=month, on=dt.date(2026, 1, 5))
        services.publish_month(actor=actor, month=month)


def test_six_five_star_months_exactly_earn_a_reward_and_six_below_a_warning(
    actor, street_centre, village_centre
):
    _year(actor, street_centre, village_centre, five_star_months=6)
    rewards = {r.centre_id for r in queries.reward_list(year=2025)}
    warnings = {r.centre_id for r in queries.warning_list(year=2025)}
    # 大智: six five-star months (reward) and six below (warning, "六个月及以上").
    assert street_centre.code in rewards and street_centre.code in warnings
    assert village_centre.code not in rewards and village_centre.code in warnings


def test_five_five_star_months_earn_no_reward(actor, street_centre, village_centre):
    _year(actor, street_centre, village_centre, five_star_months=5)
    assert street_centre.code not in {r.centre_id for r in queries.reward_list(year=2025)}


def test_issue_notices_sets_a_working_day_deadline_and_follow_up(
    actor, street_centre, village_centre
):
    _year(actor, street_centre, village_centre, five_star_months=12)
    notices = services.issue_notices(actor=actor, year=2025, on=dt.date(2026, 1, 5))
    warning = next(n for n in notices if n.kind == YearNotice.Kind.WARNING)
    assert warning.centre_id == village_centre.code
    # 20 working days after Monday 5 January 2026: 2 February.
    assert warning.deadline == dt.date(2026, 2, 2)
    assert warning.overdue_on(dt.date(2026, 2, 3))
    reward = next(n for n in notices if n.kind == YearNotice.Kind.REWARD)
    assert reward.centre_id == street_centre.code and reward.deadline is None
    # Issuing again changes nothing.
    assert len(services.issue_notices(actor=actor, year=2025, on=dt.date(2026, 1, 9))) == 2
    assert YearNotice.objects.get(pk=warning.pk).deadline == dt.date(2026, 2, 2)
    done = services.record_follow_up(
        actor=actor,
        notice_id=warning.pk,
        status="rectified",
        note="已完成窗口人员培训和制度修订。",
        on=dt.date(2026, 1, 20),
    )
    assert done.status == "rectified" and not done.overdue_on(dt.date(2026, 3, 1))
    with pytest.raises(ValidationError) as e:
        services.record_follow_up(
            actor=actor, notice_id=reward.pk, status="rectified", note="无需整改事项"
        )
    assert code_of(e.value) == "not_a_warning"


def test_a_deadline_running_into_an_unpublished_year_is_guessed_and_flagged(
    actor, street_centre, village_centre
):
    # 2027's holidays are not in the calendar: 18 working days are left in December 2026, the
    # last two are guessed Monday–Friday (Friday 1 January, Monday 4 January) and flagged.
    _year(actor, street_centre, village_centre, five_star_months=12)
    notices = services.issue_notices(actor=actor, year=2025, on=dt.date(2026, 12, 7))
    warning = next(n for n in notices if n.kind == YearNotice.Kind.WARNING)
    assert warning.deadline == dt.date(2027, 1, 4) and warning.deadline_provisional
    reward = next(n for n in notices if n.kind == YearNotice.Kind.REWARD)
    assert reward.deadline is None and not reward.deadline_provisional


def test_the_guessed_deadline_is_corrected_once_the_year_is_published(
    actor, street_centre, village_centre
):
    from bianmin.core import workdays

    _year(actor, street_centre, village_centre, five_star_months=12)
    notices = services.issue_notices(actor=actor, year=2025, on=dt.date(2026, 12, 7))
    warning = next(n for n in notices if n.kind == YearNotice.Kind.WARNING)
    assert warning.rectify_workdays == 20
    assert services.correct_provisional_deadlines() == 0  # 2027 still unpublished
    # The State Council's notice for 2027: 元旦 on Friday 1 January is a holiday, so the
    # 20th working day moves from Monday 4 to Tuesday 5 January.
    workdays.set_override(actor=actor, day=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    workdays.publish_year(actor=actor, year=2027, source="国办发明电〔2026〕测试号")
    assert services.correct_provisional_deadlines() == 1
    warning.refresh_from_db()
    assert (warning.deadline, warning.deadline_provisional) == (dt.date(2027, 1, 5), False)
    entry = AuditEntry.objects.filter(object_type="ratings.notice").latest("id")
    assert entry.changes["deadline"] == ["2027-01-04", "2027-01-05"]
    assert services.correct_provisional_deadlines() == 0  # nothing left to correct


def test_issue_without_published_months_is_refused(actor):
    with pytest.raises(ValidationError) as e:
        services.issue_notices(actor=actor, year=2025, on=dt.date(2026, 1, 5))
    assert code_of(e.value) == "no_published_month"


def test_back_filled_self_assessment_keeps_its_day(actor, street_centre):
    item = submit(actor, street_centre, "2026-09", on=dt.date(2026, 9, 28))
    assert timezone.localdate(item.submitted_at) == dt.date(2026, 9, 28)
