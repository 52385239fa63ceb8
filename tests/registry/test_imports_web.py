"""The 批量导入 pages through the Django test client, and the CLI and worker commands."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.models import ImportJob, ImportStatus, Person
from bianmin.registry.services.imports import run_next_pending
from tests import factories
from tests.conftest import BAOCHENG, WANNIAN
from tests.registry.import_helpers import bad_check_digit, create_job, csv_bytes, new_id, row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BIANMIN = {**settings.BIANMIN, "IMPORT_INLINE_THREAD": False}


def _upload(client, content: bytes, *, mode: str = "all", name: str = "保成社区.csv"):
    return client.post(
        reverse("workbench:imports"),
        {"file": SimpleUploadedFile(name, content), "mode": mode},
    )


def test_upload_poll_and_download_the_error_sheet(client, baocheng_worker):
    # Given a grid worker on the import page
    client.force_login(baocheng_worker)
    page = client.get(reverse("workbench:imports"))
    assert page.status_code == 200 and "下载导入模板" in page.content.decode()

    # When they upload a file with one bad row, importing the valid rows only
    bad = bad_check_digit(new_id())
    response = _upload(client, csv_bytes([row("甲"), row("乙", bad), row("丙")]), mode="valid")

    # Then a job is queued and its page polls for progress every second
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:import-detail", args=[job.pk])
    detail = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in detail and "排队中" in detail
    assert job.status == ImportStatus.PENDING and job.created_by == baocheng_worker

    # When the worker has run it, the poll answers the result and stops polling
    run_next_pending()
    poll = client.get(reverse("workbench:import-progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = poll.content.decode()
    assert poll.status_code == 200 and "hx-trigger" not in html
    assert "已完成" in html and "下载错误明细" in html
    assert Person.unscoped.count() == 2

    # And the error sheet holds the bad row as uploaded, with its reason next to it
    download = client.get(reverse("workbench:import-errors", args=[job.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    header, first = (list(r) for r in ws.iter_rows(max_row=2, values_only=True))
    assert header[0] == "行号" and header[-1] == "错误原因"
    assert first[0] == 3 and first[2] == bad and first[-1] == "身份证号码校验位错误，请核对号码。"
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(job.pk)).exists()


def test_a_wrong_file_is_refused_on_the_form(client, baocheng_worker):
    client.force_login(baocheng_worker)
    response = _upload(client, csv_bytes([["张三", "x"]], ["姓名", "备注"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "缺少必填列：身份证号码、手机号码" in html and "无法识别的列：备注" in html
    assert not ImportJob.objects.exists()


def test_the_template_downloads(client, baocheng_worker):
    client.force_login(baocheng_worker)
    response = client.get(reverse("workbench:import-template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["人员信息", "填写说明"]


def test_only_the_uploader_sees_a_job_and_its_errors(client, baocheng_worker, wannian_worker):
    job = create_job(baocheng_worker, csv_bytes([row("甲", bad_check_digit(new_id()))]))
    run_next_pending()
    client.force_login(wannian_worker)
    for name in ("import-detail", "import-progress", "import-errors"):
        assert client.get(reverse(f"workbench:{name}", args=[job.pk])).status_code == 403


def test_an_unknown_job_is_not_found(client, baocheng_worker):
    client.force_login(baocheng_worker)
    url = reverse("workbench:import-detail", args=["00000000-0000-4000-8000-000000000000"])
    assert client.get(url).status_code == 404


def test_roles_that_keep_no_register_cannot_open_the_page(client, db):
    reviewer = factories.staff("reviewer", role="reviewer", division="420100", department="MZ")
    client.force_login(reviewer)
    assert client.get(reverse("workbench:imports")).status_code == 403


def test_the_inline_thread_is_started_after_commit(
    client, baocheng_worker, settings, django_capture_on_commit_callbacks, monkeypatch
):
    started = []
    monkeypatch.setattr("bianmin.registry.tasks._run_in_thread", started.append)
    settings.BIANMIN = {**settings.BIANMIN, "IMPORT_INLINE_THREAD": True}
    client.force_login(baocheng_worker)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, csv_bytes([row("甲")]))

    for _ in range(50):  # the callback starts a thread; give it a moment
        if started:
            break
        time.sleep(0.01)
    assert started == [ImportJob.objects.get().pk]


# --- CLI and worker ---------------------------------------------------------------------------


def test_import_people_command(tmp_path, baocheng_worker):
    path = tmp_path / "登记表.csv"
    path.write_bytes(csv_bytes([row("甲"), row("乙")]))
    out = io.StringIO()
    call_command("import_people", str(path), "--as", baocheng_worker.username, stdout=out)
    text = out.getvalue()
    assert "已完成" in text and "新增 2" in text and "2/2 行" in text
    assert Person.unscoped.count() == 2


def test_import_people_command_reports_a_rejected_file(tmp_path, baocheng_worker):
    path = tmp_path / "登记表.csv"
    path.write_bytes(csv_bytes([row("甲"), row("乙", community=WANNIAN)]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_people", str(path), "--as", baocheng_worker.username, stdout=out)
    assert "错误 1" in out.getvalue() and not Person.unscoped.exists()
    out = io.StringIO()
    call_command(
        "import_people", str(path), "--as", baocheng_worker.username, "--valid-only", stdout=out
    )
    assert Person.unscoped.get().residence_division_id == BAOCHENG


def test_worker_once_runs_every_pending_job(baocheng_worker):
    jobs = [create_job(baocheng_worker, csv_bytes([row(f"人{i}")])) for i in range(2)]
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "2 个任务已处理" in out.getvalue()
    assert {j.status for j in ImportJob.objects.filter(pk__in=[j.pk for j in jobs])} == {
        ImportStatus.DONE
    }
    assert run_next_pending() is None
