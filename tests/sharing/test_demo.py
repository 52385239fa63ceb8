"""The sharing demo: grants, consents, and the demo cases' shared materials fetched."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from bianmin.cases.demo import load_demo_cases
from bianmin.catalog.demo import load_demo_catalog
from bianmin.registry.demo.city import build_demo_city
from bianmin.sharing import queries
from bianmin.sharing.demo import load_demo
from bianmin.sharing.models import (
    AccessOutcome,
    AccessRequest,
    Consent,
    DataAccess,
    Grant,
    SharedMaterial,
)

SEED = 11


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo_city(people=400, seed=SEED, districts=None, today=timezone.localdate())
        load_demo_catalog()
        load_demo_cases(seed=SEED, log=lambda _line: None)
        lines: list[str] = []
        load_demo(seed=SEED, log=lines.append)
        yield lines
        transaction.set_rollback(True)


@pytest.fixture
def built(demo, db):
    return demo


def test_grants_requests_and_consents(built):
    states = {queries.grant_state(g) for g in Grant.objects.all()}
    assert states == {"active", "expired"}
    assert set(AccessRequest.objects.values_list("status", flat=True)) == {
        "approved",
        "refused",
        "pending",
    }
    assert Consent.unscoped.exists()
    assert "数据共享 sharing:" in built[-1]


def test_demo_cases_have_materials_satisfied_by_sharing(built):
    found = SharedMaterial.unscoped.filter(found=True)
    assert found.count() >= 20
    assert found.filter(source_label__startswith="共享数据：").exists()
    assert DataAccess.unscoped.filter(outcome=AccessOutcome.ALLOWED, case__isnull=False).exists()
    # Each satisfied material was fetched as of its case's intake.
    for row in found.select_related("case")[:20]:
        assert row.fetched_at == row.case.submitted_at
    month = timezone.localdate().strftime("%Y-%m")
    last = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
    stats = queries.materials_stats(month) + queries.materials_stats(last.strftime("%Y-%m"))
    assert sum(r["satisfied"] for r in stats) >= 1
