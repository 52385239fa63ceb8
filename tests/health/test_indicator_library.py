"""The health figures come from the indicator library: on the health app's own demo data
(filed records, prevalence, a year of follow-ups and check-ups, encounters) for 大智街道, plus a
death and people of a street without a health centre, the library's numerators and
denominators are checked, unit by unit from the district down to the grids, against the
formulas computed a second way, in plain Python over the rows. (Before the supervisors' page
read the library it had its own calendar-year queries; this test showed both gave the same
pairs — December, and mid-year with `Year` — before those queries were removed.)

Two readings of "within the year" (docs/health.md): a calendar year (`Year(2026)`: the yearly
report, 1 January to 31 December) and a month of the library (the twelve months to the month's
end). They are the same in December; in the middle of the year they are not."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.health.demo import load_demo_health
from bianmin.health.models import (
    CheckKind,
    Condition,
    ConditionCategory,
    Encounter,
    HealthCheck,
    HealthRecord,
)
from bianmin.indicators import engine
from bianmin.indicators.library import Period, Year
from bianmin.registry.models import Division, OrgUnit, Person
from bianmin.registry.services import lifeevents
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN, TAINING

pytestmark = pytest.mark.django_db

# library code → (numerator, denominator) as the calendar-year report named them
PAIRS = {
    "health.filing_rate": ("records", "population"),
    "health.electronic_rate": ("electronic", "population"),
    "health.complete_rate": ("complete", "records"),
    "health.usage_rate": ("used", "records"),
    "health.htn_standard_rate": ("htn_standard", "htn_managed"),
    "health.bp_control_rate": ("htn_controlled", "htn_managed"),
    "health.t2d_standard_rate": ("t2d_standard", "t2d_managed"),
    "health.glucose_control_rate": ("t2d_controlled", "t2d_managed"),
    "health.elderly_rate": ("elderly_checked", "elderly"),
}
CODES = list(PAIRS)


def _other_street_community() -> str:
    """A community of 江岸区 outside 大智街道: its street has no health centre, so nobody there
    is filed (the filing rate's denominator only)."""
    return (
        Division.objects.filter(level=5, prefix__startswith=JIANGAN)
        .exclude(prefix__startswith=DAZHI_STREET[:9])
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


def _city(today: dt.date) -> dict:
    """The demo loader over 75 residents of three communities (a grid in one of them), as if
    run on `today`. People entered the register in 2019, before any record was opened."""
    OrgUnit.objects.create(
        code=f"WSY-{DAZHI_STREET}",
        name="大智街社区卫生服务中心",
        kind="health",
        division=Division.objects.get(code=DAZHI_STREET),
        department_id="WJ",
    )
    grid = factories.grid(BAOCHENG, 1).code
    other = _other_street_community()
    for i in range(75):
        community = (BAOCHENG, TAINING, other)[i % 3]
        factories.person(
            community=community,
            grid=grid if community == BAOCHENG and i % 2 else None,
            name=f"居民{i}",
            birth=dt.date(1934 + i, 1 + i % 12, 1 + (i * 7) % 28),
            male=i % 2 == 0,
        )
    load_demo_health(seed=11, log=lambda m: None, programs=False, today=today)
    Person.unscoped.update(created_at=timezone.make_aware(dt.datetime(2019, 1, 1)))
    return {"grid": grid, "other": other}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def by_hand(start: dt.date, end: dt.date, lengths: tuple[int, ...]) -> dict[str, dict]:
    """Every numerator and denominator per unit prefix, row by row in Python: residents and
    records as they stood on `end`, check-ups and encounters dated from `start` to `end`."""
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))

    def add(area: str, key: str) -> None:
        for n in lengths:
            if len(area) >= n:
                out[area[:n]][key] += 1

    def alive(p: Person) -> bool:
        return p.life_status == "alive" or (p.status_date is not None and p.status_date > end)

    senior_by = _years_before(end, 65)
    for p in Person.unscoped.all():
        if timezone.localdate(p.created_at) <= end and alive(p):
            add(p.area_code, "population")
            if p.birth_date <= senior_by:
                add(p.area_code, "elderly")
    checks = defaultdict(list)
    for c in HealthCheck.unscoped.filter(checked_on__range=(start, end)):
        checks[c.record_id].append(c)
    seen = set(
        Encounter.unscoped.filter(started_on__range=(start, end)).values_list("record", flat=True)
    )
    for r in HealthRecord.unscoped.select_related("person"):
        if r.opened_on > end or (r.status != "active" and not (r.closed_on and r.closed_on > end)):
            continue
        mine = sorted(checks[r.pk], key=lambda c: (c.checked_on, c.pk))
        add(r.area_code, "records")
        for flag, key in ((r.electronic, "electronic"), (r.complete, "complete")):
            if flag:
                add(r.area_code, key)
        if mine or r.pk in seen:
            add(r.area_code, "used")
        diagnosed = {
            c.category
            for c in Condition.unscoped.filter(record=r, status="active", onset_on__lte=end)
        }
        face_to_face = sum(1 for c in mine if c.kind == CheckKind.FOLLOW_UP and c.face_to_face)
        for category, name, latest_ok in (
            (
                ConditionCategory.HYPERTENSION,
                "htn",
                lambda cs: [c for c in cs if c.systolic is not None][-1:],
            ),
            (
                ConditionCategory.DIABETES,
                "t2d",
                lambda cs: [c for c in cs if c.fasting_glucose is not None][-1:],
            ),
        ):
            if category not in diagnosed:
                continue
            add(r.area_code, f"{name}_managed")
            if face_to_face >= 4:
                add(r.area_code, f"{name}_standard")
            last = latest_ok(mine)
            if last and (
                (name == "htn" and last[0].systolic < 140 and last[0].diastolic < 90)
                or (name == "t2d" and last[0].fasting_glucose < 7)
            ):
                add(r.area_code, f"{name}_controlled")
        if (
            r.person.birth_date <= senior_by
            and alive(r.person)
            and any(c.kind in (CheckKind.ELDERLY, CheckKind.ANNUAL) for c in mine)
        ):
            add(r.area_code, "elderly_checked")
    return out


def library(division: str, period) -> dict[str, dict[str, tuple[int, int]]]:
    """{unit prefix: {code: (numerator, denominator)}} for the unit and the units under it."""
    got = engine.values_many(CODES, division=division, period=period)
    prefixes = dict(Division.objects.values_list("code", "prefix"))
    out: dict[str, dict] = defaultdict(dict)
    for code, by_unit in got.items():
        for unit_code, v in by_unit.items():
            prefix = prefixes.get(unit_code, unit_code)
            out[prefix][code] = (int(v.numerator), int(v.denominator or 0))
    return dict(out)


def expected(hand: dict[str, dict], prefixes) -> dict[str, dict[str, tuple[int, int]]]:
    return {
        p: {code: (hand[p][num], hand[p][den]) for code, (num, den) in PAIRS.items()}
        for p in prefixes
    }


LENGTHS = (6, 9, 12, 14)


def _check_levels(period, start: dt.date, end: dt.date, extra_grid: str) -> dict:
    hand = by_hand(start, end, LENGTHS)
    district = library(JIANGAN, period)
    street = library(DAZHI_STREET, period)
    community = library(BAOCHENG, period)
    for got in (district, street, community):
        assert got == expected(hand, got), period
    assert extra_grid in community  # the grid under 保成社区, rolled up into it
    return {**district, **street, **community}


def test_current_year_in_december_library_equals_the_calendar_year_report():
    today = timezone.localdate()
    if today.month != 12:
        pytest.skip("the data ends today; this case is December's")
    city = _city(today)
    year = today.year
    december = _check_levels(
        Period(year, 12), dt.date(year, 1, 1), dt.date(year, 12, 31), city["grid"]
    )
    yearly = _check_levels(Year(year), dt.date(year, 1, 1), dt.date(year, 12, 31), city["grid"])
    assert december == yearly
    filed = december[DAZHI_STREET[:9]]["health.filing_rate"]
    assert 0 < filed[0] < filed[1]
    assert december[city["other"][:9]]["health.filing_rate"] == (0, 25)
    assert december[DAZHI_STREET[:9]]["health.htn_standard_rate"][1] > 0


def test_mid_year_the_yearly_period_is_the_calendar_year_and_the_month_is_twelve_months():
    # Data as a supervisor finds it on 20 June 2026: a year and a half of history behind it.
    city = _city(dt.date(2026, 6, 20))
    elderly = (
        HealthRecord.unscoped.filter(person__birth_date__lte=dt.date(1950, 1, 1), status="active")
        .select_related("person")
        .order_by("pk")
        .first()
    )
    lifeevents.record_death(
        actor=Actor(name="公安推送"),
        person=elderly.person,
        died_on=dt.date(2026, 3, 10),
        source="公安推送",
    )
    elderly.refresh_from_db()
    assert elderly.status == "closed" and elderly.closed_on == dt.date(2026, 3, 10)

    yearly = _check_levels(Year(2026), dt.date(2026, 1, 1), dt.date(2026, 12, 31), city["grid"])
    june = _check_levels(Period(2026, 6), dt.date(2025, 7, 1), dt.date(2026, 6, 30), city["grid"])
    street = DAZHI_STREET[:9]
    # Follow-ups of last autumn count in June's twelve months, not in this calendar year.
    assert (
        june[street]["health.htn_standard_rate"][0] > yearly[street]["health.htn_standard_rate"][0]
    )

    # Last year's figures as they stood on 31 December 2025: the resident who died in March
    # was alive and filed then (the report before the library read today's state every year).
    last_year = _check_levels(Year(2025), dt.date(2025, 1, 1), dt.date(2025, 12, 31), city["grid"])
    assert last_year == _check_levels(
        Period(2025, 12), dt.date(2025, 1, 1), dt.date(2025, 12, 31), city["grid"]
    )
    home = elderly.area_code[:12]
    then, now = last_year[home]["health.filing_rate"], yearly[home]["health.filing_rate"]
    assert then[1] == now[1] + 1
    for period, counted in ((Year(2025), True), (Year(2026), False)):
        for part, row in (("numerator", elderly), ("denominator", elderly.person)):
            rows = engine.rows("health.filing_rate", division=home, period=period, part=part)
            assert rows.filter(pk=row.pk).exists() is counted, (period, part)
