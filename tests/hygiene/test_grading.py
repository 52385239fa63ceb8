"""Grade boundaries, key items, bad input, the calendar and the public page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bianmin.hygiene import grading, services
from bianmin.hygiene.models import Grade, Inspection, PlannedInspection, PublicPlace
from tests.hygiene.conftest import scores_for, sheet

pytestmark = pytest.mark.django_db


def code_of(e: ValidationError) -> str:
    if hasattr(e, "error_dict"):
        return next(iter(e.error_dict.values()))[0].code
    return e.code


def inspect(actor, place, scores, key_failed=(), on=dt.date(2026, 3, 10)):
    return services.record_inspection(
        actor=actor,
        place=place.pk,
        inspected_on=on,
        inspectors="李华、张伟",
        scores=scores,
        key_failed=key_failed,
    )


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "A"),
        ("90", "A"),
        ("89.9", "B"),
        ("70", "B"),
        ("69.9", "C"),
        ("60", "C"),
        ("59.9", "P"),
    ],
)
def test_grade_boundaries_through_a_real_sheet(actor, hotel, total, grade):
    inspection = inspect(actor, hotel, scores_for("hotel", Decimal(total)))
    assert inspection.total == Decimal(total)
    assert inspection.grade == grade
    hotel.refresh_from_db()
    assert hotel.grade == grade and hotel.last_inspected_on == dt.date(2026, 3, 10)


def test_a_failed_key_item_at_95_is_poor(actor, hotel):
    key = next(i for i in sheet() if i.key)
    inspection = inspect(actor, hotel, scores_for("hotel", Decimal(95)), key_failed=[key.pk])
    assert inspection.total == Decimal("95.0")
    assert inspection.grade == Grade.POOR
    # 15 working days after Tuesday 10 March 2026: 31 March.
    assert inspection.rectify_by == dt.date(2026, 3, 31)


def test_weights_count_in_the_standardised_total():
    # Two items of 10: one weighted 1.5 and full, one weighted 1 and empty → 15/25 = 60.
    rows = [(Decimal(10), Decimal(10), Decimal("1.5")), (Decimal(0), Decimal(10), Decimal(1))]
    assert grading.standardised_total(rows) == Decimal("60.0")


def test_frequency_by_grade():
    assert [grading.visits_per_year(g) for g in ("A", "B", "C", "P", "")] == [1, 2, 3, 0, 1]


@pytest.mark.parametrize("value", ["10.5", "-0.1", "十", ""])
def test_score_out_of_range_changes_nothing(actor, hotel, value):
    scores = scores_for("hotel", Decimal(100))
    first = next(iter(scores))
    scores[first] = value
    with pytest.raises(ValidationError) as e:
        inspect(actor, hotel, scores)
    assert code_of(e.value) in {"score_range", "score_required"}
    assert not Inspection.objects.exists()
    hotel.refresh_from_db()
    assert hotel.grade == ""


def test_non_key_item_cannot_fail_as_key(actor, hotel):
    plain = next(i for i in sheet() if not i.key)
    with pytest.raises(ValidationError) as e:
        inspect(actor, hotel, scores_for("hotel", Decimal(95)), key_failed=[plain.pk])
    assert code_of(e.value) == "not_key_item"


def test_item_of_another_sheet_is_refused(actor, hotel):
    other = sheet("pool")[-1]
    with pytest.raises(ValidationError) as e:
        inspect(actor, hotel, {**scores_for("hotel", Decimal(95)), str(other.pk): "1"})
    assert code_of(e.value) == "unknown_item"


def test_unknown_place_is_refused(actor):
    with pytest.raises(ValidationError) as e:
        services.record_inspection(
            actor=actor,
            place=999999,
            inspected_on=dt.date(2026, 3, 10),
            inspectors="李华、张伟",
            scores={},
        )
    assert code_of(e.value) == "unknown_place"


def test_unknown_organisation_is_refused(actor):
    with pytest.raises(ValidationError) as e:
        services.register_place(
            actor=actor,
            name="江岸游泳馆",
            place_type="pool",
            area_code="420102002003",
            address="武汉市江岸区",
            credit_code="91420102MA4K00000X",
        )
    assert code_of(e.value) == "unknown_organisation"
    assert not PublicPlace.objects.exists()


def test_place_takes_the_operator_from_the_legal_person_register(hotel, organisation):
    assert hotel.organisation == organisation
    assert hotel.operator_name == organisation.name
    assert hotel.area_code == "420102002003"


# --- the calendar ---------------------------------------------------------------------------


def visits(place, year=2026):
    return list(PlannedInspection.objects.filter(place=place, due_on__year=year).order_by("due_on"))


def test_ungraded_place_gets_a_first_grading(actor, hotel):
    assert services.generate_plan(actor=actor, year=2026, on=dt.date(2026, 1, 5)) == 1
    [visit] = visits(hotel)
    assert visit.reason == PlannedInspection.Reason.FIRST


@pytest.mark.parametrize(("total", "more"), [("95", 0), ("80", 1), ("65", 2)])
def test_grade_sets_the_rest_of_the_years_visits(actor, hotel, total, more):
    """Graded in March: A needs no more visits that year, B one more, C two more."""
    services.generate_plan(actor=actor, year=2026, on=dt.date(2026, 1, 5))
    inspection = inspect(actor, hotel, scores_for("hotel", Decimal(total)))
    rows = visits(hotel)
    done = [v for v in rows if v.done_id]
    open_ = [v for v in rows if not v.done_id]
    assert [v.done_id for v in done] == [inspection.pk]
    assert len(open_) == more
    assert all(v.due_on > inspection.inspected_on for v in open_)
    assert all(v.due_on.weekday() < 5 for v in open_)
    # A year's plan for the next year: A once, B twice, C three times.
    services.generate_plan(actor=actor, year=2027, on=dt.date(2026, 12, 1))
    assert len(visits(hotel, 2027)) == grading.visits_per_year(inspection.grade)


def test_poor_place_gets_a_reinspection_after_the_deadline(actor, hotel):
    inspection = inspect(actor, hotel, scores_for("hotel", Decimal("50")))
    [visit] = [v for v in visits(hotel) if not v.done_id]
    assert visit.reason == PlannedInspection.Reason.REINSPECT
    assert visit.due_on == dt.date(2026, 4, 1)  # first working day after 31 March
    assert inspection.rectify_by == dt.date(2026, 3, 31)
    # The re-inspection passes at B: one more routine visit that year.
    again = inspect(actor, hotel, scores_for("hotel", Decimal("80")), on=dt.date(2026, 4, 1))
    assert again.grade == "B"
    open_ = [v for v in visits(hotel) if not v.done_id]
    assert [v.reason for v in open_] == [PlannedInspection.Reason.ROUTINE]


def test_daily_job_does_not_reshuffle_a_plan(actor, hotel):
    services.generate_plan(actor=actor, year=2026, on=dt.date(2026, 1, 5))
    before = [(v.pk, v.due_on) for v in visits(hotel)]
    assert (
        services.generate_plan(actor=actor, year=2026, on=dt.date(2026, 1, 6), only_missing=True)
        == 0
    )
    assert [(v.pk, v.due_on) for v in visits(hotel)] == before


def test_future_inspection_date_is_refused(actor, hotel):
    with pytest.raises(ValidationError) as e:
        inspect(actor, hotel, scores_for("hotel", Decimal(95)), on=dt.date(2099, 1, 1))
    assert code_of(e.value) == "future_date"


def test_a_key_item_scored_zero_counts_as_failed(actor, hotel):
    key = next(i for i in sheet() if i.key)
    scores = scores_for("hotel", Decimal(100))
    scores[str(key.pk)] = "0"
    inspection = inspect(actor, hotel, scores)
    assert inspection.total == Decimal("90.7")
    assert inspection.key_failed == [key.pk] and inspection.grade == Grade.POOR


def test_a_guessed_rectification_date_is_corrected_with_its_reinspection(actor, hotel, monkeypatch):
    from bianmin.core import workdays

    for module in ("inspections", "plans"):
        monkeypatch.setattr(
            f"bianmin.hygiene.services.{module}.today", lambda: dt.date(2026, 12, 16)
        )
    # Poor on Tuesday 15 December 2026: the 15 working days run into 2027, whose holidays
    # the package does not have yet — 1 January is guessed a working day, and flagged.
    inspection = inspect(actor, hotel, scores_for("hotel", Decimal("50")), on=dt.date(2026, 12, 15))
    assert (inspection.rectify_by, inspection.rectify_provisional) == (dt.date(2027, 1, 5), True)
    services.generate_plan(actor=actor, year=2027, on=dt.date(2026, 12, 16), only_missing=True)
    [visit] = [v for v in visits(hotel, 2027) if not v.done_id]
    assert (visit.reason, visit.due_on) == (PlannedInspection.Reason.REINSPECT, dt.date(2027, 1, 6))
    assert services.correct_provisional_deadlines() == 0

    workdays.set_override(actor=actor, day=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    workdays.publish_year(actor=actor, year=2027, source="国办发明电〔2026〕测试号")
    assert services.correct_provisional_deadlines() == 1
    inspection.refresh_from_db()
    assert (inspection.rectify_by, inspection.rectify_provisional) == (dt.date(2027, 1, 6), False)
    [visit] = [v for v in visits(hotel, 2027) if not v.done_id]
    assert (visit.reason, visit.due_on) == (PlannedInspection.Reason.REINSPECT, dt.date(2027, 1, 7))
    assert services.correct_provisional_deadlines() == 0
