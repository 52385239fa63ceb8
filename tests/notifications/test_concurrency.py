"""Real concurrency on PostgreSQL: deliverers and workers in threads, each with its own
database connection. (SQLite serialises write transactions; its test database is one
in-memory file the threads would share, so there is no race to show there.)"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.conf import settings

from bianmin.core import jobs
from bianmin.notifications.delivery import deliver_due
from bianmin.notifications.models import OutboxMessage, OutboxStatus
from bianmin.notifications.services import queue_message
from tests.notifications.conftest import use_channels
from tests.notifications.fakes import ScriptedChannel
from tests.racing import race

_ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not _ON_POSTGRES, reason="needs PostgreSQL: row locks between sessions"),
    pytest.mark.django_db(transaction=True),
]


def test_parallel_deliverers_never_send_a_message_twice(settings):
    ScriptedChannel.reset()
    use_channels(settings, sms="tests.notifications.fakes.ScriptedChannel")
    ScriptedChannel.delay = 0.002  # a gateway round trip, so the deliverers overlap
    ids = [
        queue_message(dedupe_key=f"race:{n}", body=f"第{n}条", recipient_address="13812345678").pk
        for n in range(120)
    ]
    reports = race(6, lambda i: deliver_due(limit=100))
    assert all(not isinstance(r, Exception) for r in reports), reports
    assert sum(r.sent for r in reports) == 120
    assert sum(1 for r in reports if r.sent) > 1  # the work really was shared
    counts = Counter(ScriptedChannel.sent)
    assert sorted(counts) == ids and set(counts.values()) == {1}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    ScriptedChannel.reset()


def test_parallel_workers_run_a_periodic_job_once():
    calls: list[int] = []
    saved = dict(jobs._registry)
    try:
        jobs.register("t.race", lambda: calls.append(1), every=dt.timedelta(minutes=5))
        results = race(8, lambda i: jobs.run_due(only=["t.race"]))
    finally:
        jobs._registry.clear()
        jobs._registry.update(saved)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(len(r) for r in results) == 1 and calls == [1]
