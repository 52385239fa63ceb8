"""办件查询, 电子监察 and the navigation by role, through HTTP: filters, scope, Excel exports
(audited, masked), one grouped query per count table, no N+1 on lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bianmin.cases.models import Case, CaseStatus, DeficiencyPledge, WarningLevel
from bianmin.cases.services import deadlines, handling
from bianmin.cases.services.pledges import PledgeInput
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.access import actor_for
from tests.counter.conftest import ELDERLY, HARDSHIP, signed_in, take_in
from tests.webclient import xlsx_rows as sheet

pytestmark = pytest.mark.django_db
SEARCH, SUPERVISION = "/counter/cases/", "/counter/supervision/"


@pytest.fixture
def cases(catalog, clerk, minzu_clerk, resident, jianghan_resident):
    """Two cases at 大智街道 (one red), one at 民族街街道."""
    first = take_in(clerk, resident)
    second = take_in(clerk, resident, code=ELDERLY, materials=["bank-account"])
    other = take_in(minzu_clerk, jianghan_resident)
    Case.unscoped.filter(pk=first.pk).update(warning_level=WarningLevel.RED)
    return first, second, other


class TestSearch:
    def test_by_number_name_last4_status_and_warning(self, cases, clerk_client, resident):
        first, second, other = cases

        def found(**params):
            response = clerk_client.get(SEARCH, params)
            return {c.case_no for c in response.context["page"]}

        assert found() == {first.case_no, second.case_no}  # never 民族街's
        assert found(q=first.case_no) == {first.case_no}
        assert found(q="王秀") == {first.case_no, second.case_no}
        assert found(q=resident.id_last4) == {first.case_no, second.case_no}
        assert found(item=ELDERLY) == {second.case_no}
        assert found(warning_level="red") == {first.case_no}
        assert found(status="closed") == set()
        assert found(q=other.case_no) == set()

    def test_a_whole_id_number_is_refused_in_the_url(self, cases, clerk_client, resident):
        response = clerk_client.get(SEARCH, {"q": resident.id_number_for_test})
        html = response.content.decode()
        assert response.context["page"].paginator.count == 0
        assert resident.id_number_for_test not in html and "不要放进网址" in html

    def test_live_search_answers_with_the_table_only(self, cases, clerk_client):
        response = clerk_client.get(SEARCH, {"q": "王"}, HTTP_HX_REQUEST="true")
        assert 'id="results"' in response.content.decode()
        assert "<html" not in response.content.decode()

    def test_export_is_masked_and_audited(self, cases, clerk, clerk_client, resident):
        response = clerk_client.get("/counter/cases/export/", {"q": "王秀英"})
        rows = sheet(response)
        assert rows[1][0] == "办件编号" and len(rows) == 4  # note, header, two cases
        assert {r[5] for r in rows[2:]} == {resident.id_masked}
        entry = AuditEntry.objects.filter(action=AuditAction.EXPORT, actor_id=clerk.pk).get()
        assert entry.changes["count"] == 2 and entry.changes["filters"] == {"q": "王秀英"}

    def test_list_queries_do_not_grow_with_rows(self, cases, clerk, clerk_client, resident):
        with CaptureQueriesContext(connection) as few:
            clerk_client.get(SEARCH)
        for _ in range(6):
            take_in(clerk, resident)
        with CaptureQueriesContext(connection) as many:
            response = clerk_client.get(SEARCH)
        assert response.context["page"].paginator.count == 8
        assert len(many) == len(few)


class TestSupervision:
    def test_only_supervisors_and_admins(
        self, cases, clerk_client, reviewer, supervisor, city_admin
    ):
        assert clerk_client.get(SUPERVISION).status_code == 403
        assert signed_in(reviewer).get(SUPERVISION).status_code == 403
        assert signed_in(supervisor).get(SUPERVISION).status_code == 200
        assert signed_in(city_admin).get(SUPERVISION).status_code == 200

    def test_counts_by_department_and_centre_and_warning_lists(self, cases, supervisor):
        first, _second, _other = cases
        client = signed_in(supervisor)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(SUPERVISION)
        context = response.context
        assert context["totals"]["running"] == 3 and context["totals"]["red"] == 1
        assert [c.case_no for c in context["red"]] == [first.case_no]
        by_centre = {r["centre_name"]: r["running"] for r in context["report"].by_centre}
        assert by_centre == {"大智街道便民服务中心": 2, "民族街街道便民服务中心": 1}
        assert [r["department"] for r in context["report"].by_department] == ["MZ"]
        # A fixed cost whatever the number of cases: one grouped query per table, and one
        # aggregate per month of the twelve-month on-time table.
        assert len(queries) <= 32
        html = response.content.decode()
        assert first.case_no in html and "按月按时办结率" in html

    def test_month_rate_and_over_visits_and_overdue_pledges(self, cases, supervisor, reviewer):
        first, *_ = cases
        handling.act_on_review(
            actor=actor_for(reviewer), review=first.reviews.get(), decision="approve"
        )
        handling.decide(actor=actor_for(reviewer), case=first, approve=True)
        handling.deliver(actor=actor_for(reviewer), case=first, method="window")
        handling.close(actor=actor_for(reviewer), case=first)
        client = signed_in(supervisor)
        months = client.get(SUPERVISION).context["months"]
        assert months == [
            {
                "month": timezone.localdate().strftime("%Y-%m"),
                "closed": 1,
                "on_time": 1,
                "late": 0,
                "rate": 1.0,
            }
        ]
        # The pick-up was a second visit: beyond 最多跑一次.
        visits = client.get("/counter/supervision/visits/")
        listed = list(visits.context["page"])
        assert first.case_no in {c.case_no for c in listed}
        assert all(c.visit_count > c.item.max_visits for c in listed)
        assert client.get("/counter/supervision/pledges/").status_code == 200
        assert client.get("/counter/supervision/nothing/").status_code == 404

    def test_every_table_exports_audited(self, cases, supervisor):
        client = signed_in(supervisor)
        for table in ("departments", "centres", "months", "red", "yellow", "visits", "pledges"):
            response = client.get(f"/counter/supervision/export/{table}/")
            assert response.status_code == 200, table
            assert sheet(response)[1], table
        assert client.get("/counter/supervision/export/nope/").status_code == 404
        assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 7
        red = sheet(client.get("/counter/supervision/export/red/"))
        assert red[2][0] == cases[0].case_no

    def test_pages_cost_the_same_queries_for_more_cases(
        self, cases, clerk, resident, reviewer, supervisor
    ):
        client = signed_in(supervisor)
        pages = [SUPERVISION] + [
            f"{SUPERVISION}{kind}/" for kind in ("red", "yellow", "visits", "pledges", "extensions")
        ]

        def cost() -> list[int]:
            counts = []
            for url in pages:
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                counts.append(len(queries))
            return counts

        def one_more() -> None:
            due = timezone.localdate() + dt.timedelta(days=5)
            case = take_in(
                clerk, resident, materials=["application"], pledge=PledgeInput((HARDSHIP,), due)
            )
            Case.unscoped.filter(pk=case.pk).update(warning_level=WarningLevel.RED, visit_count=3)
            DeficiencyPledge.objects.filter(case=case).update(due_date=dt.date(2020, 1, 1))
            deadlines.request_extension(
                actor=actor_for(reviewer), case=case, workdays=2, reason="入户核查"
            )

        one_more()
        few = cost()
        for _ in range(4):
            one_more()
        assert cost() == few

    def test_extension_requests_to_approve(self, cases, reviewer, supervisor):
        first, *_ = cases
        extension = deadlines.request_extension(
            actor=actor_for(reviewer), case=first, workdays=3, reason="需入户核查"
        )
        client = signed_in(supervisor)
        listed = client.get("/counter/supervision/extensions/")
        assert [e.pk for e in listed.context["page"]] == [extension.pk]
        rows = sheet(client.get("/counter/supervision/export/extensions/"))
        assert rows[2][0] == first.case_no and rows[2][3] == "需入户核查"
        response = client.post(
            f"/counter/supervision/extensions/{extension.pk}/decide/",
            {"approve": "0", "note": "理由不充分", "next": "list"},
            follow=True,
        )
        assert "已不批准延期" in response.content.decode()
        first.refresh_from_db()
        assert first.extended_workdays == 0 and first.status == CaseStatus.IN_REVIEW

    def test_requester_cannot_approve_their_own_extension(self, cases, city_admin):
        first, *_ = cases
        client = signed_in(city_admin)
        client.post(
            f"/counter/cases/{first.case_no}/act/extend/", {"workdays": 2, "reason": "补充调查"}
        )
        extension = first.extensions.get()
        response = client.post(
            f"/counter/supervision/extensions/{extension.pk}/decide/",
            {"approve": "1"},
            follow=True,
        )
        assert "延期申请须由申请人以外的负责人审批" in response.content.decode()
        extension.refresh_from_db()
        assert extension.status == "pending"


class TestNavigation:
    def nav(self, user) -> str:
        html = signed_in(user).get("/").content.decode()
        return html[html.index('aria-label="主导航"') : html.index("</nav>")]

    def test_each_role_sees_its_groups(self, catalog, clerk, reviewer, supervisor, city_admin):
        clerk_nav, reviewer_nav = self.nav(clerk), self.nav(reviewer)
        supervisor_nav, admin_nav = self.nav(supervisor), self.nav(city_admin)
        assert "综合受理" in clerk_nav and "电子监察" not in clerk_nav
        assert "排队叫号" in clerk_nav and "事项清单" in clerk_nav and "事项管理" not in clerk_nav
        assert "我的待办" in reviewer_nav and "综合受理" not in reviewer_nav
        assert "电子监察" in supervisor_nav and "红灯超期" in supervisor_nav
        assert "综合受理" not in supervisor_nav
        for label in ("综合受理", "电子监察", "事项管理", "审计日志", "消息"):
            assert label in admin_nav, label
        assert "消息" not in clerk_nav

    def test_grid_worker_sees_no_one_window_work(self, baocheng_worker):
        nav = self.nav(baocheng_worker)
        assert "综合受理" not in nav and "我的待办" not in nav and "人口库" in nav
