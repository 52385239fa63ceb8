"""Concurrent registrations in one village get distinct consecutive serials (PostgreSQL: the
counter row's lock; SQLite serialises writers anyway and shares no in-memory test database
across threads, so this runs on PostgreSQL only)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from bianmin.core.audit import Actor
from bianmin.health.models import HealthRecord
from bianmin.health.services import records
from tests import factories
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_parallel_registrations_get_distinct_serials(reference_data):
    people = [factories.person(community=BAOCHENG, name=f"并发{i}") for i in range(8)]
    start = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def register(person):
        try:
            start.wait()
            records.open_record(actor=Actor(name="t"), person=person)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    codes = sorted(HealthRecord.objects.values_list("record_code", flat=True))
    assert codes == [f"{BAOCHENG}{n:05d}" for n in range(1, 9)]
