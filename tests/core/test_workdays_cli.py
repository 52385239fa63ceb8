"""`bianmin workdays` and the calendar admin: the same service functions the cases use."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bianmin.core import workdays
from bianmin.core.models import AuditEntry, WorkdayOverride, WorkdayYear

D = dt.date.fromisoformat
BIANMIN = str(Path(sys.executable).with_name("bianmin"))


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workdays.invalidate_cache()
    yield
    workdays.invalidate_cache()


def _run(*args: str) -> str:
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestCommand:
    def test_add_prints_one_iso_date(self):
        # 2024 春节: 2月10日至17日放假，2月18日（星期日）上班.
        assert _run("add", "2024-02-09", "1") == "2024-02-18\n"
        assert _run("add", "2025-09-30", "3") == "2025-10-11\n"

    def test_result_in_uncovered_year_fails_with_status_2(self):
        with pytest.raises(CommandError) as caught:
            _run("add", "2026-12-30", "2")
        assert caught.value.returncode == 2
        assert "2027年" in str(caught.value) and "does not cover 2027" in str(caught.value)

    @pytest.mark.parametrize(
        ("args", "complaint"),
        [
            (("add", "2024-2-9", "1"), "date must be YYYY-MM-DD"),
            (("add", "2024-02-30", "1"), "date must be YYYY-MM-DD"),
            (("add", "2024-02-09", "x"), "N must be a whole number"),
            (("check", "27"), "year must be YYYY"),
        ],
    )
    def test_malformed_arguments_are_usage_errors(self, args, complaint):
        with pytest.raises(CommandError) as caught:
            _run(*args)
        assert complaint in str(caught.value)

    def test_check_names_the_source(self, system_actor):
        assert "chinesecalendar" in _run("check", "2026")
        with pytest.raises(CommandError) as caught:
            _run("check", "2027")
        assert caught.value.returncode == 2 and "未覆盖" in str(caught.value)

        workdays.set_override(actor=system_actor, day=D("2027-01-01"), is_workday=False)
        workdays.publish_year(actor=system_actor, year=2027, source="国办发明电〔2026〕7号")
        report = _run("check", "2027")
        assert "管理员发布" in report and "国办发明电〔2026〕7号" in report and "1 local" in report
        assert _run("add", "2026-12-31", "1") == "2027-01-04\n"  # 01-01 off, then the weekend


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory) -> dict[str, str]:
    # The console script runs in its own process, so it cannot see the test transaction; it
    # gets a migrated SQLite file of its own.
    db = tmp_path_factory.mktemp("cli") / "calendar.sqlite3"
    env = {**os.environ, "BIANMIN_ENV": "test", "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([BIANMIN, "migrate", "core", "-v0"], env=env, check=True, timeout=120)
    return env


class TestConsoleScript:
    def _bianmin(self, env, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BIANMIN, "workdays", *args], env=env, capture_output=True, text=True, timeout=60
        )

    def test_add_succeeds(self, cli_env):
        done = self._bianmin(cli_env, "add", "2026-02-14", "1")
        assert (done.returncode, done.stdout) == (0, "2026-02-24\n")

    def test_uncovered_year_exits_2_with_reason_on_stderr(self, cli_env):
        done = self._bianmin(cli_env, "add", "2026-12-30", "2")
        assert done.returncode == 2 and done.stdout == ""
        assert "2027年的法定节假日" in done.stderr and "does not cover 2027" in done.stderr

    def test_start_in_uncovered_year_exits_2(self, cli_env):
        done = self._bianmin(cli_env, "add", "2027-03-01", "5")
        assert done.returncode == 2 and "2027" in done.stderr

    def test_malformed_date_exits_2_with_usage(self, cli_env):
        done = self._bianmin(cli_env, "add", "2024-13-01", "1")
        assert done.returncode == 2 and "usage:" in done.stderr


@pytest.mark.django_db
class TestAdmin:
    @pytest.fixture
    def admin_client(self, client, django_user_model):
        admin = django_user_model.objects.create_superuser("calendar_admin", password="x" * 12)
        client.force_login(admin)
        client.admin = admin
        return client

    def test_enter_and_publish_2027_through_the_admin(self, admin_client):
        # Publishing before anything is entered is refused with the reason on the form.
        page = admin_client.post(
            "/admin/core/workdayyear/add/", {"year": "2027", "source": "国办发明电〔2026〕7号"}
        )
        assert page.status_code == 200 and "尚未录入任何放假或调休日期" in page.content.decode()

        page = admin_client.post(
            "/admin/core/workdayoverride/add/",
            {"date": "2027-01-01", "is_workday": "", "name": "元旦", "note": ""},
        )
        assert page.status_code == 302
        override = WorkdayOverride.objects.get(date=D("2027-01-01"))
        assert override.created_by == admin_client.admin and not override.is_workday

        page = admin_client.post(
            "/admin/core/workdayyear/add/", {"year": "2027", "source": "国办发明电〔2026〕7号"}
        )
        assert page.status_code == 302
        assert WorkdayYear.objects.get().published_by == admin_client.admin
        assert workdays.add_workdays(D("2026-12-31"), 1) == D("2027-01-04")
        assert set(
            AuditEntry.objects.filter(actor=admin_client.admin).values_list(
                "object_type", flat=True
            )
        ) == {"workday_override", "workday_year"}

        listing = admin_client.get("/admin/core/workdayoverride/?year=2027")
        assert listing.status_code == 200 and "星期五" in listing.content.decode()
        listing = admin_client.get("/admin/core/workdayyear/")
        assert listing.status_code == 200 and "国办发明电〔2026〕7号" in listing.content.decode()

    def test_delete_through_the_admin_goes_through_the_service(self, admin_client, system_actor):
        workdays.set_override(actor=system_actor, day=D("2025-10-09"), is_workday=False)
        override = WorkdayOverride.objects.get()
        page = admin_client.post(
            f"/admin/core/workdayoverride/{override.pk}/delete/", {"post": "yes"}
        )
        assert page.status_code == 302 and not WorkdayOverride.objects.exists()
        assert AuditEntry.objects.filter(action="delete", object_id="2025-10-09").exists()
        assert workdays.add_workdays(D("2025-09-30"), 1) == D("2025-10-09")
