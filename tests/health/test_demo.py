from __future__ import annotations

import datetime as dt
import re

import pytest

from bianmin.core import lifecycle
from bianmin.health.demo import load_demo_health
from bianmin.health.models import HealthRecord, Institution, RecordCounter
from bianmin.health.services import records
from bianmin.registry.models import Division, OrgUnit
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET

pytestmark = pytest.mark.django_db


def test_demo_loader_files_residents_and_continues_the_serials(system_actor):
    OrgUnit.objects.create(
        code=f"WSY-{DAZHI_STREET}",
        name="大智街社区卫生服务中心",
        kind="health",
        division=Division.objects.get(code=DAZHI_STREET),
    )
    for i in range(40):
        factories.person(
            community=BAOCHENG,
            name=f"居民{i}",
            birth=dt.date(1940 + i, 1 + i % 12, 1 + i % 28),
            male=i % 2 == 0,
        )
    load_demo_health(seed=1, log=lambda m: None)
    filed = HealthRecord.objects.all()
    assert 25 <= filed.count() <= 40  # about 85 %
    assert all(re.fullmatch(rf"{BAOCHENG}\d{{5}}", r.record_code) for r in filed)
    assert Institution.objects.filter(level="city").count() == 2
    last = RecordCounter.objects.get(village_id=BAOCHENG).last_serial
    assert last == filed.count()
    newcomer = factories.person(community=BAOCHENG, name="新居民", birth=dt.date(1999, 1, 1))
    record = records.open_record(actor=system_actor, person=newcomer)
    assert record.record_code == f"{BAOCHENG}{last + 1:05d}"
    assert lifecycle.run_checks(["health.records", "programs.follow_ups"]) == []
