"""Shared fixtures: a test database with the real division tree of Wuhan, and staff at
several levels built by the same services the application uses."""

from __future__ import annotations

import pytest

from bianmin.core.audit import Actor
from bianmin.core.scope import acting_in
from tests import factories

# Real codes (国家统计局 2023):
# 江岸区 / 大智街道 / 保成社区, 泰宁社区; 江汉区 / 民族街街道 / 万年社区.
JIANGAN = "420102"
DAZHI_STREET = "420102002000"
BAOCHENG = "420102002003"
TAINING = "420102002004"
JIANGHAN = "420103"
WANNIAN = "420103001002"


# Data migrations that load what every installation has. A transactional test (live server,
# concurrent sessions) starts from the flushed database the previous one left, so it puts
# these back; each loader is idempotent (update_or_create).
REFERENCE_DATA = [
    "bianmin.registry.migrations.0002_reference_data",
    "bianmin.certificates.migrations.0002_reference_types",
    "bianmin.sharing.migrations.0002_catalogue",
    "bianmin.hygiene.migrations.0002_scoring_sheets",
]


def restore_reference_data() -> None:
    """The division tree, the data migrations' reference rows and the indicator definitions."""
    import importlib

    from django.apps import apps

    from bianmin.indicators.services import sync_definitions
    from bianmin.registry.models import Division
    from bianmin.registry.services.divisions import load_divisions

    if not Division.objects.filter(code="420100").exists():
        load_divisions(city_prefix="4201")
    for module in REFERENCE_DATA:
        importlib.import_module(module).load(apps, None)
    sync_definitions()


@pytest.fixture
def reference_data(transactional_db) -> None:
    restore_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from bianmin.registry.services.divisions import load_divisions

    with django_db_blocker.unblock():
        load_divisions(city_prefix="4201")


@pytest.fixture(autouse=True)
def _no_scope():
    """Tests start as the system (no web request); scoped tests enter a scope explicitly."""
    with acting_in(None):
        yield


@pytest.fixture(autouse=True)
def _platform_language():
    """Every test starts in the platform's language: a request in English (Accept-Language)
    leaves English active in the thread after the test client returns, and a later test's
    service messages would come out in English depending on which tests ran before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The working-day calendar is cached per process and invalidated by model signals; a test
    database flushed or rolled back underneath it sends none, so start every test from the
    tables as they are."""
    from bianmin.core import workdays

    workdays.invalidate_cache()
    yield
    workdays.invalidate_cache()


def arrange_city_sharing() -> int:
    """The grants the city's departments work under (the demo city's, city-wide, through
    approved requests), valid on every day the tests' clocks are set to."""
    import datetime as dt

    from bianmin.sharing.demo import arrange_sharing

    return arrange_sharing(
        city="4201", valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2035, 12, 31)
    )


@pytest.fixture
def sharing_arranged(db) -> int:
    """Intake fetches shared materials before it decides, so a test that takes an
    application in needs the city's grants as a real installation has them; the sharing
    tests make their own. (Transactional tests: after `reference_data`, see
    tests/cases/test_concurrency.py.)"""
    return arrange_city_sharing()


@pytest.fixture
def system_actor() -> Actor:
    return Actor(name="pytest")


@pytest.fixture
def baocheng_worker(db):
    return factories.staff("baocheng_worker", role="grid", division=BAOCHENG)


@pytest.fixture
def wannian_worker(db):
    return factories.staff("wannian_worker", role="grid", division=WANNIAN)


@pytest.fixture
def city_admin(db):
    return factories.staff("city_admin", role="admin", division="420100")
