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

from tests.conftest import restore_reference_data

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
    from django.db import connection

    guard = importlib.import_module("bianmin.core.migrations.0002_audit_append_only")
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            for sql in guard.SQLITE_UP:
                cursor.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
    restore_reference_data()
    yield
    if sqlite:
        with connection.cursor() as cursor:
            for sql in guard.SQLITE_DOWN:
                cursor.execute(sql)


def shoot(page, name: str) -> Path:
    path = SCREENSHOTS / f"bianmin-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
