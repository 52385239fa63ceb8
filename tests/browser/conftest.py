"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server.

Playwright's sync API runs its own event loop in this thread; Django would then refuse ORM
calls made from the test ("async context"), although they are plain synchronous set-up code.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("BIANMIN_SCREENSHOTS", tempfile.gettempdir()))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            "!!! BROWSER TESTS SKIPPED: /usr/bin/chromium is missing. "
            "Install Debian's Chromium (`make browser` or `apt-get install chromium`). !!!"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1366, "height": 860}, base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


# Data migrations that load what every installation has; a flush removes it, so each live-server
# test puts it back (each loader is idempotent: update_or_create).
REFERENCE_DATA = [
    "bianmin.registry.migrations.0002_reference_data",
    "bianmin.certificates.migrations.0002_reference_types",
    "bianmin.sharing.migrations.0002_catalogue",
    "bianmin.hygiene.migrations.0002_scoring_sheets",
]


@pytest.fixture(autouse=True)
def _transactional_database(transactional_db):
    """Make a transactional (live-server) test work on the shared test database.

    It starts from whatever the previous transactional test left, i.e. a flushed database:
    put back what every installation has (divisions, departments, tags, certificate types,
    the shared-data catalogue, scoring sheets, indicator definitions). And it ends with a
    flush, which on SQLite is a DELETE that the audit log's append-only triggers refuse
    (PostgreSQL's TRUNCATE does not fire them): drop those triggers just before the flush,
    re-create them before the next test. Non-transactional tests all run before these
    (pytest-django orders them first), so none of them sees the log unprotected.
    """
    from django.apps import apps
    from django.db import connection

    from bianmin.registry.models import Division
    from bianmin.registry.services.divisions import load_divisions

    guard = importlib.import_module("bianmin.core.migrations.0002_audit_append_only")
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            for sql in guard.SQLITE_UP:
                cursor.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
    if not Division.objects.filter(code="420100").exists():
        load_divisions(city_prefix="4201")
    for module in REFERENCE_DATA:
        importlib.import_module(module).load(apps, None)
    from bianmin.indicators.services import sync_definitions

    sync_definitions()
    yield
    if sqlite:
        with connection.cursor() as cursor:
            for sql in guard.SQLITE_DOWN:
                cursor.execute(sql)


def shoot(page, name: str) -> Path:
    path = SCREENSHOTS / f"bianmin-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
