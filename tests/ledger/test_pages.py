"""Staff pages: report fill and review, the community ledger, the inbox, the designer, the
dashboard and its JSON."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bianmin.ledger.models import ManualCell, Report, ReportStatus, ReportTemplate
from bianmin.ledger.services import open_report, submit
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING
from tests.ledger.conftest import GRIDS, fill_all, last_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(actor, street_template, street, grids):
    return open_report(actor=actor, template=street_template, division=street, period=last_month())


def test_report_page_shows_computed_and_manual_cells(client, street_clerk, report):
    client.force_login(street_clerk)
    page = client.get(reverse("ledger:report", args=[report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "网格工作月报表" in html and "保成社区" in html
    assert f'name="cell:{BAOCHENG}:visits"' in html
    assert "基础数据（自动提取）" in html


def test_bad_cell_on_the_page_is_shown_and_nothing_saved(client, street_clerk, report):
    client.force_login(street_clerk)
    answer = client.post(
        reverse("ledger:report", args=[report.pk]),
        {f"cell:{BAOCHENG}:visits": "12", f"cell:{TAINING}:visits": "十二"},
    )
    assert answer.status_code == 200
    assert "须填整数" in answer.content.decode()
    assert not ManualCell.objects.exists()


def test_fill_submit_and_review_through_pages(client, street_clerk, street_reviewer, report, actor):
    fill_all(report, actor)  # every other community of 大智街道
    client.force_login(street_clerk)
    answer = client.post(
        reverse("ledger:report", args=[report.pk]),
        {f"cell:{BAOCHENG}:visits": "12", f"cell:{TAINING}:visits": "8", "preparer": "张三"},
    )
    assert answer.status_code == 302
    assert ManualCell.objects.get(row_key=BAOCHENG, column_key="visits").value == "12"
    client.post(reverse("ledger:report-submit", args=[report.pk]))
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    client.force_login(street_reviewer)
    inbox = client.get(reverse("ledger:inbox")).content.decode()
    assert "网格工作月报表" in inbox
    client.post(reverse("ledger:report-return", args=[report.pk]), {"reason": "请核实"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.return_reason == "请核实"


def test_a_report_outside_the_scope_is_not_found(client, wannian_worker, report):
    client.force_login(wannian_worker)
    assert client.get(reverse("ledger:report", args=[report.pk])).status_code == 404


def test_exports_download(client, street_clerk, report):
    client.force_login(street_clerk)
    xlsx = client.get(reverse("ledger:report-xlsx", args=[report.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("ledger:report-pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_community_ledger_shows_every_template(client, baocheng_worker, street_template, grids):
    client.force_login(baocheng_worker)
    page = client.get(reverse("ledger:community"), {"month": last_month()})
    html = page.content.decode()
    assert page.status_code == 200
    assert "保成社区" in html and "网格工作月报表" in html and "尚未填报" in html
    # The community's rows are its grids.
    assert "第1网格" in html and "第2网格" in html


def test_designer_adds_an_indicator_column_with_live_preview(client, street_template):
    supervisor = factories.staff("dazhi_sup", role="supervisor", division=DAZHI_STREET)
    client.force_login(supervisor)
    url = reverse("ledger:template-new")
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        {"code": "t-new", "name": "新报表", "frequency": "monthly", "row_kind": "units",
         "op": f"add-indicator:{GRIDS}"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    html = answer.content.decode()
    assert answer.status_code == 200
    assert 'name="col-0-indicator"' in html and "网格登记数" in html  # the formula shown
    assert "保成社区" in html  # preview rows: the street's communities
    assert not ReportTemplate.objects.filter(code="t-new").exists()
    saved = client.post(
        url,
        {"code": "t-new", "name": "新报表", "frequency": "monthly", "row_kind": "units",
         "col-0-key": "grids", "col-0-label": "网格数", "col-0-source": "indicator",
         "col-0-indicator": GRIDS, "headings_text": "", "categories_text": ""},
    )  # fmt: skip
    assert saved.status_code == 302
    assert ReportTemplate.objects.get(code="t-new").columns[0]["indicator"] == GRIDS


def test_designer_refuses_an_unknown_indicator(client):
    supervisor = factories.staff("dazhi_sup", role="supervisor", division=DAZHI_STREET)
    client.force_login(supervisor)
    answer = client.post(
        reverse("ledger:template-new"),
        {"code": "t-bad", "name": "坏", "frequency": "monthly", "row_kind": "units",
         "col-0-key": "x", "col-0-label": "X", "col-0-source": "indicator",
         "col-0-indicator": "nope.nothing"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "nope.nothing" in answer.content.decode()
    assert not ReportTemplate.objects.exists()


def test_designer_is_for_supervisors(client, street_clerk):
    client.force_login(street_clerk)
    assert client.get(reverse("ledger:template-new")).status_code == 403


def test_dashboard_and_its_data(client):
    supervisor = factories.staff("jiangan_sup", role="supervisor", division="420102")
    client.force_login(supervisor)
    page = client.get(reverse("ledger:dashboard"), {"month": last_month()})
    html = page.content.decode()
    assert page.status_code == 200
    assert "vendor/echarts/echarts.min.js" in html and 'id="dashboard-data"' in html
    assert 'data-table="trend"' in html
    data = client.get(reverse("ledger:dashboard-data"), {"month": last_month()}).json()
    assert data["division"]["code"] == "420102"
    assert len(data["months"]) == 12 and data["months"][-1] == last_month()
    assert "cases.received" in data["trend"]
    assert DAZHI_STREET in [u["code"] for u in data["units"]]


def test_frozen_report_page_shows_the_difference(client, street_clerk, report, actor):
    fill_all(report, actor)
    submit(actor=actor, report=report)
    factories.grid(BAOCHENG, 3)
    client.force_login(street_clerk)
    html = client.get(reverse("ledger:report", args=[report.pk])).content.decode()
    assert "上报后基础数据有变化的格子" in html
    assert "（+1）" in html
    assert f'name="cell:{BAOCHENG}:visits"' not in html


def test_a_stopped_template_opens_no_new_report(client, street_template, street_clerk):
    supervisor = factories.staff("dazhi_sup", role="supervisor", division=DAZHI_STREET)
    client.force_login(supervisor)
    url = reverse("ledger:template-active", args=[street_template.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    street_template.refresh_from_db()
    assert not street_template.active
    client.force_login(street_clerk)
    client.post(
        reverse("ledger:report-open"),
        {"template": street_template.pk, "division": DAZHI_STREET, "period": last_month()},
    )
    assert not Report.objects.exists()


def test_report_page_in_english(client, street_clerk, report):
    client.force_login(street_clerk)
    html = client.get(
        reverse("ledger:report", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Total" in html and "Reporting unit" in html and "Submit for review" in html


def test_a_refused_open_goes_back_only_to_this_site(client, street_clerk, street_template):
    client.force_login(street_clerk)
    future = f"{last_month()[:4]}9-01"
    answer = client.post(
        reverse("ledger:report-open"),
        {"template": street_template.pk, "division": DAZHI_STREET, "period": future,
         "next": "https://evil.example/"},
    )  # fmt: skip
    assert answer.status_code == 302 and answer.url == reverse("ledger:reports")
