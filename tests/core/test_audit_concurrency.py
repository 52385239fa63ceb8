"""The audit chain under concurrent appenders on PostgreSQL: each thread has its own connection,
lone reads (their own transactions, the server computing the hash) and writes whose entries go
in last (`appended_last`) race for the head; the chain must come out whole, in one line."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction, AuditChainHead, AuditEntry
from tests.racing import race

_ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not _ON_POSTGRES, reason="needs PostgreSQL: row locks between sessions"),
    pytest.mark.django_db(transaction=True),
]
THREADS, EACH = 8, 15


def _append_many(i: int) -> None:
    actor = Actor(name=f"窗口{i}")
    for k in range(EACH):
        if k % 3 == 0:
            with transaction.atomic(), audit.appended_last():
                audit.record(actor, AuditAction.UPDATE, object_type="case", object_id=k)
                audit.record(actor, AuditAction.READ, object_type="person", object_id=k)
        else:
            audit.record(actor, AuditAction.READ, object_type="person", object_id=k)


def test_concurrent_appends_keep_one_unbroken_chain():
    results = race(THREADS, _append_many)
    assert [r for r in results if isinstance(r, Exception)] == []
    expected = THREADS * (EACH + EACH // 3)
    assert AuditEntry.objects.count() == expected
    report = audit.verify_chain()
    assert report.ok and report.checked == expected
    assert AuditChainHead.objects.get(pk=1).last_id == expected
