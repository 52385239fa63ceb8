"""Small known datasets for the indicators: people in two communities of 大智街道 and one of
民族街街道, cases accepted at those communities' centres."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.registry.models import Person
from tests import factories
from tests.conftest import BAOCHENG, TAINING, WANNIAN

PERIOD = "2026-10"
END = dt.date(2026, 10, 31)


def set_person(person: Person, **fields) -> Person:
    """Adjust fields the services set from dates we cannot choose (建档时间 is now); the
    change is stamped like a service's save would stamp it."""
    fields.setdefault("updated_at", timezone.now())
    Person.unscoped.filter(pk=person.pk).update(**fields)
    person.refresh_from_db()
    return person


@pytest.fixture
def people(db):
    """Baocheng: 3 people (one 70, one 62, one 30), one in grid 01; Taining: 2 (one 66, one
    who died on 2026-10-10); Wannian: 1 (aged 81)."""
    grid = factories.grid(BAOCHENG, 1)
    made = {
        "b70": factories.person(community=BAOCHENG, name="李一", birth=dt.date(1956, 3, 1)),
        "b62": factories.person(community=BAOCHENG, name="李二", birth=dt.date(1964, 10, 31)),
        "b30": factories.person(community=BAOCHENG, name="李三", birth=dt.date(1996, 1, 1)),
        "t66": factories.person(community=TAINING, name="王一", birth=dt.date(1960, 5, 5)),
        "t_dead": factories.person(community=TAINING, name="王二", birth=dt.date(1950, 5, 5)),
        "w81": factories.person(community=WANNIAN, name="赵一", birth=dt.date(1945, 1, 1)),
    }
    registered = timezone.make_aware(dt.datetime(2026, 9, 1, 9, 0))
    Person.unscoped.filter(pk__in=[p.pk for p in made.values()]).update(created_at=registered)
    set_person(made["b70"], area_code=grid.code, grid=grid)
    set_person(made["t_dead"], life_status="deceased", status_date=dt.date(2026, 10, 10))
    return made


def _case(n: int, item, person, *, area: str, **fields):
    from bianmin.cases.models import Case

    defaults = {
        "case_no": f"IND{n:06d}",
        "item": item,
        "applicant_type": "person",
        "applicant_person": person,
        "applicant_name": person.name,
        "applicant_id_masked": person.id_masked,
        "applicant_last4": person.id_last4,
        "applicant_area_code": person.area_code,
        "channel": "window",
        "area_code": area,
        "submitted_at": timezone.make_aware(dt.datetime(2026, 10, 9, 10, 0)),
        "accepted_on": dt.date(2026, 10, 9),
        "due_date": dt.date(2026, 10, 16),
        "status": "accepted",
    }
    defaults.update(fields)
    return Case.unscoped.create(**defaults)


@pytest.fixture
def case_data(people):
    """Baocheng centre: 4 cases — closed on time (0 visits, rated 5), closed late (2 visits,
    rated 1, online), open and overdue, submitted in September and closed on time in October
    (1 visit, rated 3). Wannian: 1 online case closed on time (1 visit), rated 2."""
    from tests.cases.builders import item

    service = item("IND-ELDERLY")
    b, w = people["b62"], people["w81"]
    closed = {"status": "closed", "decision": "approved"}
    at = timezone.make_aware(dt.datetime(2026, 10, 12, 10, 0))
    cases = {
        "on_time": _case(
            1, service, b, area=BAOCHENG, closed_on=dt.date(2026, 10, 14), decided_at=at, **closed
        ),
        "late": _case(
            2,
            service,
            b,
            area=BAOCHENG,
            closed_on=dt.date(2026, 10, 20),
            visit_count=2,
            channel="online",
            decided_at=at,
            **closed,
        ),
        "overdue": _case(3, service, people["b30"], area=BAOCHENG, due_date=dt.date(2026, 10, 20)),
        "september": _case(
            4,
            service,
            b,
            area=BAOCHENG,
            visit_count=1,
            submitted_at=timezone.make_aware(dt.datetime(2026, 9, 28, 10, 0)),
            accepted_on=dt.date(2026, 9, 28),
            due_date=dt.date(2026, 10, 9),
            closed_on=dt.date(2026, 10, 9),
            decided_at=at,
            **closed,
        ),
        "wannian": _case(
            5,
            service,
            w,
            area=WANNIAN,
            closed_on=dt.date(2026, 10, 15),
            visit_count=1,
            channel="online",
            decided_at=at,
            status="closed",
            decision="denied",
        ),
    }
    from bianmin.evaluation.models import Rating

    for key, level in (("on_time", 5), ("late", 1), ("september", 3), ("wannian", 2)):
        case = cases[key]
        Rating.objects.create(
            case=case,
            level=level,
            channel="window_device",
            rater_name=case.applicant_name,
            area_code=case.area_code,
            rated_on=dt.date(2026, 10, 21),
        )
    return cases
