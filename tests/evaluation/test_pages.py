"""Staff pages through the client: the task list and detail with its htmx stage panel,
complaint intake, list and detail, the monthly dashboard with stars and its Excel exports."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from bianmin.core.audit import Actor
from bianmin.core.models import AuditEntry
from bianmin.evaluation.models import Complaint, RectificationTask
from bianmin.evaluation.services import rate_case
from tests import factories
from tests.conftest import DAZHI_STREET
from tests.webclient import signed_in

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
SMS = Actor(name="sms gateway")


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def manager(db):
    return factories.staff("dazhi_manager", role="clerk", division=DAZHI_STREET)


@pytest.fixture
def web(manager) -> Client:
    return signed_in(manager)


@pytest.fixture
def task(closed_case, resident) -> RectificationTask:
    rating = rate_case(
        actor=SMS,
        case=closed_case,
        level=2,
        channel="sms",
        phone=resident.phone,
        comment="窗口午休时无人",
    )
    return rating.task


class TestTasks:
    def test_list_with_filters_and_export(self, web, task):
        html = page(web.get("/evaluation/rectifications/"))
        assert str(task) in html and "窗口午休时无人" in html and "待核实" in html
        partial = web.get("/evaluation/rectifications/?status=closed", **HX)
        assert "<html" not in page(partial) and "没有符合条件的整改任务" in page(partial)
        export = web.get("/evaluation/rectifications/export/?status=verify")
        rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
        assert rows[1][0] == "编号" and rows[2][0] == str(task) and rows[2][4] == "不满意"
        assert AuditEntry.objects.filter(object_type="rectification", action="export").exists()

    def test_detail_and_stage_actions_through_htmx(self, web, task):
        html = page(web.get(f"/evaluation/rectifications/{task.pk}/"))
        assert "核实结论" in html and "王秀英" in html
        url = f"/evaluation/rectifications/{task.pk}/act/"
        # Notes missing: the form comes back with the error, nothing changes.
        r = web.post(url, {"founded": "1", "notes": ""}, **HX)
        assert "<html" not in page(r) and "errorlist" in page(r)
        task.refresh_from_db()
        assert task.status == "verify"
        r = web.post(url, {"founded": "1", "notes": "回访核实属实"}, **HX)
        assert 'id="stage"' in page(r) and "待整改" in page(r) and ">整改</button>" in page(r)
        web.post(url, {"notes": "调整午休轮班，保证窗口有人"}, **HX)
        r = web.post(url, {"answer": "已调整午休轮班"}, **HX)
        assert "已答复，待回访" in page(r)
        # Without htmx: a plain form post redirects back to the page.
        r = web.post(url, {"satisfied": "1", "notes": "满意"})
        assert r.status_code == 302 and r["Location"] == f"/evaluation/rectifications/{task.pk}/"
        task.refresh_from_db()
        assert task.status == "closed"
        assert "已办结" in page(web.get(f"/evaluation/rectifications/{task.pk}/"))

    def test_the_rated_clerk_gets_the_refusal_in_the_panel(self, closed_case, dazhi_clerk, task):
        r = signed_in(dazhi_clerk).post(
            f"/evaluation/rectifications/{task.pk}/act/", {"founded": "0", "notes": "不属实"}, **HX
        )
        assert r.status_code == 403

    def test_another_street_gets_403(self, minzu_clerk, task):
        assert signed_in(minzu_clerk).get(f"/evaluation/rectifications/{task.pk}/").status_code == (
            403
        )

    def test_list_queries_do_not_grow_with_rows(self, web, clock, cases, dazhi_clerk, resident):
        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert web.get("/evaluation/rectifications/").status_code == 200
            return len(ctx.captured_queries)

        for _ in range(2):
            case = cases.closed(dazhi_clerk, resident)
            rate_case(
                actor=SMS, case=case, level=1, channel="sms", phone=resident.phone, comment="太慢了"
            )
        two = count()
        case = cases.closed(dazhi_clerk, resident)
        rate_case(
            actor=SMS, case=case, level=1, channel="sms", phone=resident.phone, comment="太慢了"
        )
        assert count() == two


class TestComplaints:
    def test_intake_list_detail(self, web, clock, closed_case, manager):
        form = page(web.get("/evaluation/complaints/new/"))
        assert "投诉对象" in form and "dazhi_manager" in form
        data = {
            "channel": "window",
            "complainant_name": "王秀英",
            "complainant_phone": "13912345678",
            "subject_kind": "case",
            "case_no": closed_case.case_no,
            "content": "窗口让我回家补复印件",
        }
        r = web.post("/evaluation/complaints/new/", data, follow=True)
        complaint = Complaint.unscoped.get()
        assert f"投诉已受理，编号{complaint.complaint_no}" in page(r)
        assert "139****5678" in page(r) and "13912345678" not in page(r)
        r = web.post("/evaluation/complaints/new/", data, follow=True)
        assert "未重复登记" in page(r) and Complaint.unscoped.count() == 1
        listed = page(web.get("/evaluation/complaints/?q=复印件"))
        assert complaint.complaint_no in listed
        r = web.post(
            f"/evaluation/complaints/{complaint.pk}/act/",
            {"founded": "0", "notes": "查看录像，未发现问题"},
            **HX,
        )
        assert "待答复" in page(r)

    def test_intake_errors_stay_on_the_form(self, web, clock):
        r = web.post(
            "/evaluation/complaints/new/",
            {
                "channel": "phone",
                "complainant_name": "张伟",
                "subject_kind": "case",
                "case_no": "BM404",
                "complainant_phone": "13600002222",
                "content": "办件一直没有结果",
            },
        )
        assert r.status_code == 200 and "办件编号“BM404”不存在。" in page(r)
        assert not Complaint.unscoped.exists()


class TestDashboard:
    def test_month_figures_stars_and_export(self, web, clock, cases, dazhi_clerk, resident):
        for level in (5, 5, 5, 5, 4):
            case = cases.closed(dazhi_clerk, resident)
            rate_case(actor=SMS, case=case, level=level, channel="sms", phone=resident.phone)
        html = page(web.get("/evaluation/?period=2026-09"))
        assert "100.00%" in html and "★★★★★" in html
        assert '<option value="2026-Q3">2026年第3季度</option>' in html
        quarter = page(web.get("/evaluation/?period=2026-Q3"))
        assert '<option value="2026-Q3" selected>' in quarter and "100.00%" in quarter
        r = web.get("/evaluation/export/org_units/?period=2026-09")
        sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
        rows = list(sheet.values)
        assert rows[2][1].startswith("大智街道") and rows[2][2] == 5 and rows[2][-1] == "★★★★★"
        assert rows[-1][1] == "合计"
        assert web.get("/evaluation/export/people/?month=2026-09").status_code == 404

    def test_a_bad_period_says_so(self, web):
        html = page(web.get("/evaluation/?period=2026-13"))
        assert "统计期“2026-13”无效" in html

    def test_staff_only(self, client):
        assert client.get("/evaluation/").status_code == 302
