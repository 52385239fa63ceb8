"""Stored values: full and incremental refresh, freezing, and the diff against live values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from bianmin.indicators import services
from bianmin.indicators.models import IndicatorDefinition, IndicatorValue
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING

from .conftest import PERIOD, set_person

CODES = ["registry.population", "registry.elderly_60", "cases.on_time_rate"]


def live(code, unit_code):
    return IndicatorValue.objects.get(
        indicator_id=code, unit_code=unit_code, period=PERIOD, snapshot__isnull=True
    )


def test_definitions_are_mirrored(db):
    services.sync_definitions()
    row = IndicatorDefinition.objects.get(code="cases.on_time_rate")
    assert row.name == "按时办结率" and row.kind == "ratio" and row.active


def test_first_refresh_is_full_then_incremental(case_data, people):
    run = services.refresh(PERIOD, codes=CODES, root=DAZHI_STREET)
    assert run.mode == "full"
    assert live("registry.population", DAZHI_STREET).numerator == 4
    assert live("cases.on_time_rate", BAOCHENG).value == Decimal("66.6700")

    # A new resident of Taining (registered in October), 61 years old.
    newcomer = factories.person(community=TAINING, name="周一", birth=dt.date(1965, 1, 1))
    set_person(newcomer, created_at=timezone.make_aware(dt.datetime(2026, 10, 30, 9, 0)))
    run = services.refresh(PERIOD, codes=CODES, root=DAZHI_STREET)
    assert run.mode == "incremental"
    assert run.touched_areas >= 1
    assert live("registry.population", TAINING).numerator == 2
    assert live("registry.population", DAZHI_STREET).numerator == 5
    assert live("registry.elderly_60", DAZHI_STREET).numerator == 4
    assert live("registry.population", BAOCHENG).numerator == 3  # untouched, still there

    nothing = services.refresh(PERIOD, codes=CODES, root=DAZHI_STREET)
    assert nothing.values_written == 0 or nothing.touched_areas == 0


def test_incremental_equals_full(case_data, people):
    services.refresh(PERIOD, codes=CODES, root=DAZHI_STREET)
    set_person(people["b30"], life_status="deceased", status_date=dt.date(2026, 10, 2))
    # The grid's only resident: its partial goes away, its value to 0.
    set_person(people["b70"], life_status="moved_out", status_date=dt.date(2026, 10, 3))
    services.refresh(PERIOD, codes=CODES, root=DAZHI_STREET)
    incremental = services.stored_values(CODES, period=PERIOD, root=DAZHI_STREET)
    services.refresh(PERIOD, codes=CODES, root=DAZHI_STREET, full=True)
    full = services.stored_values(CODES, period=PERIOD, root=DAZHI_STREET)
    assert incremental == full
    assert full["registry.population"][BAOCHENG].numerator == 1
    assert f"{BAOCHENG}01" not in full["registry.population"]  # nothing: not stored


def test_frozen_snapshot_does_not_change_and_diff_shows_it(case_data, people, system_actor):
    snap = services.freeze(
        PERIOD, root=DAZHI_STREET, codes=CODES, label="2026年10月统计月报", actor=system_actor
    )
    set_person(people["b62"], life_status="deceased", status_date=dt.date(2026, 10, 3))
    changes = services.diff(snap)
    frozen = services.stored_values(CODES, period=PERIOD, root=DAZHI_STREET, snapshot=snap)
    assert frozen["registry.population"][BAOCHENG].numerator == 3
    by_key = {(d.code, d.unit_code): d for d in changes}
    pop = by_key[("registry.population", BAOCHENG)]
    assert (pop.frozen.numerator, pop.live.numerator) == (3, 2)
    assert pop.change == Decimal(-1)
    assert ("cases.on_time_rate", BAOCHENG) not in by_key


def test_a_move_lowers_the_old_area_in_an_incremental_refresh(case_data, people, system_actor):
    from bianmin.registry.services.lifeevents import record_move

    services.refresh(PERIOD, codes=CODES, root=DAZHI_STREET)
    grid = factories.grid(TAINING, 1)
    record_move(
        actor=system_actor,
        person=people["b30"],
        moved_on=dt.date(2026, 10, 20),
        source="窗口登记",
        grid=grid.code,
    )
    run = services.refresh(PERIOD, codes=CODES, root=DAZHI_STREET)
    assert run.mode == "incremental"
    assert live("registry.population", BAOCHENG).numerator == 2
    assert live("registry.population", TAINING).numerator == 2
    assert live("registry.population", DAZHI_STREET).numerator == 4
