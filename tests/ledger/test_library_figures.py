"""The ledger's figures all come from the indicator library: quarterly reports computed over
the whole quarter (a person seen in two months counted once), and the dashboard's overdue
cases by department broken down by the library, equal to the supervision read model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bianmin.cases.models import Case
from bianmin.core.scope import Scope, acting_in
from bianmin.ledger import charts, periods
from bianmin.ledger.services import open_report, save_template
from bianmin.ledger.tables import TOTAL, build_table
from bianmin.registry.models import Division
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING, WANNIAN
from tests.indicators.conftest import _case

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@pytest.fixture
def applicants(db):
    """2025 Q4 at 保成社区: 李一 applies in October and again in November, 李二 in November."""
    from tests.cases.builders import item

    service = item("LEDGER-Q")
    li1 = factories.person(community=BAOCHENG, name="李一", birth=dt.date(1956, 3, 1))
    li2 = factories.person(community=BAOCHENG, name="李二", birth=dt.date(1964, 10, 31))
    days = [(li1, dt.date(2025, 10, 9)), (li1, dt.date(2025, 11, 4)), (li2, dt.date(2025, 11, 20))]
    for n, (person, day) in enumerate(days, start=1):
        _case(
            100 + n,
            service,
            person,
            area=BAOCHENG,
            submitted_at=at(day),
            accepted_on=day,
            due_date=day + dt.timedelta(days=7),
            status="closed",
            closed_on=day + dt.timedelta(days=3 if n != 2 else 10),  # the second one late
        )


def test_quarterly_report_counts_people_over_the_quarter(actor, applicants):
    template = save_template(
        actor=actor,
        code="q-applicants",
        name="办事群众季报",
        frequency="quarterly",
        row_kind="periods",
        columns=[
            {
                "key": "people",
                "label": "办事群众",
                "source": "indicator",
                "indicator": "cases.applicants",
            },
            {
                "key": "on_time",
                "label": "按时办结率",
                "source": "indicator",
                "indicator": "cases.on_time_rate",
            },
        ],
    )
    community = Division.objects.get(code=BAOCHENG)
    report = open_report(actor=actor, template=template, division=community, period="2025-Q4")
    table = build_table(report)
    assert [table.cell(m, "people").value for m in ("2025-10", "2025-11", "2025-12")] == [
        Decimal(1),
        Decimal(2),
        Decimal(0),
    ]
    # 李一 in October and November is one person of the quarter: 2, not 1 + 2.
    assert table.cell(TOTAL, "people").value == Decimal(2)
    # A ratio over the quarter: 2 of 3 closed on time.
    assert table.cell(TOTAL, "on_time").value == Decimal("66.67")
    yearly = save_template(
        actor=actor,
        code="y-applicants",
        name="办事群众年报",
        frequency="yearly",
        row_kind="units",
        columns=[
            {
                "key": "people",
                "label": "办事群众",
                "source": "indicator",
                "indicator": "cases.applicants",
            },
        ],
    )
    street = Division.objects.get(code=DAZHI_STREET)
    report = open_report(actor=actor, template=yearly, division=street, period="2025")
    table = build_table(report)
    assert table.cell(BAOCHENG, "people").value == Decimal(2)
    assert table.cell(TAINING, "people").value == Decimal(0)
    assert table.cell(TOTAL, "people").value == Decimal(2)


@pytest.fixture
def running_cases(db):
    """大智街道's centre: 民政 cases at red, yellow, green and one closed this month; a 人社 case
    at red. 民族街's centre (another district): a 民政 case at red, which 江岸区 must not see."""
    from tests.cases.builders import item

    today = timezone.localdate()
    mz, rs = item("LEDGER-MZ"), item("LEDGER-RS", department="RS", reviews=(("RS", 1),))
    person = factories.person(community=BAOCHENG, name="张三", birth=dt.date(1970, 1, 1))
    far = factories.person(community=WANNIAN, name="赵四", birth=dt.date(1970, 1, 1))
    street = factories.org_unit(DAZHI_STREET)
    prefix = street.division.prefix
    rows = [
        (mz, person, prefix, "red"),
        (mz, person, prefix, "yellow"),
        (mz, person, prefix, "green"),
        (rs, person, prefix, "red"),
        (mz, far, WANNIAN, "red"),
    ]
    for n, (service, who, area, light) in enumerate(rows, start=1):
        _case(
            200 + n,
            service,
            who,
            area=area,
            org_unit=street if area == prefix else None,
            accepted_on=today,
            submitted_at=timezone.now(),
            due_date=today + dt.timedelta(days=5),
            warning_level=light,
        )
    _case(
        210,
        mz,
        person,
        area=prefix,
        accepted_on=today,
        submitted_at=timezone.now(),
        due_date=today,
        status="closed",
        closed_on=today,
    )
    return Case.unscoped.count()


def test_overdue_by_department_from_the_library(running_cases):
    from bianmin.cases.queries import counts_by

    district = Division.objects.get(code="420102")
    month = periods.containing(periods.MONTHLY, timezone.localdate())
    got = charts.overdue_by_department(district, month)
    assert [(r["department"], r["overdue"], r["warning"], r["running"]) for r in got] == [
        ("MZ", 1, 1, 3),
        ("RS", 1, 0, 1),
    ]
    assert got[1]["name"] == "人力资源和社会保障局"
    # The supervision page of a district supervisor says the same.
    with acting_in(Scope(area_prefix=district.prefix)):
        rows = counts_by("department", period=month.key)
    assert [
        (r["department"], r["red"], r["yellow"], r["running"])
        for r in rows
        if r["running"] or r["closed"]
    ] == [(r["department"], r["overdue"], r["warning"], r["running"]) for r in got]
    data = charts.figures(district, month=month.key)
    assert data["overdue_by_department"] == got
