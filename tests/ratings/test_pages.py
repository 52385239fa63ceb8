"""The ratings pages and API through the client: table, card, forms with bad input, lists and
their Excel export, who may rate, and scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from bianmin.ratings import services
from bianmin.ratings.models import Inspection, MonthlyRating, SelfAssessment
from tests import factories
from tests.apiclient import api_as
from tests.conftest import DAZHI_STREET, WANNIAN
from tests.ratings.conftest import FULL
from tests.webclient import signed_in

pytestmark = pytest.mark.django_db
API = "/api/v1/ratings/"


@pytest.fixture
def dazhi_clerk(db):
    return factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)


def test_self_assessment_form(clock, dazhi_clerk, street_centre):
    client = signed_in(dazhi_clerk)
    assert "2026-11-30" in client.get("/ratings/self-assessment/").content.decode()
    bad = client.post(
        "/ratings/self-assessment/",
        {"centre": street_centre.code, "month": "2026-11", **FULL, "conduct": "21"},
    )
    assert bad.status_code == 200
    assert "0至20" in bad.content.decode()
    assert not SelfAssessment.objects.exists()
    ok = client.post(
        "/ratings/self-assessment/", {"centre": street_centre.code, "month": "2026-11", **FULL}
    )
    assert ok.status_code == 302
    assert SelfAssessment.objects.get().submitted_by == "dazhi_clerk"


def test_a_clerk_may_not_rate(clock, dazhi_clerk):
    client = signed_in(dazhi_clerk)
    assert client.post("/ratings/compute/", {"month": "2026-10"}).status_code == 403
    assert client.get("/ratings/inspections/new/").status_code == 403
    assert (
        api_as(dazhi_clerk).post(f"{API}months/compute/", {"month": "2026-10"}).status_code == 403
    )


def test_supervisor_computes_publishes_and_reads_the_card(
    clock, supervisor, street_centre, village_centre
):
    services.submit_self_assessment(
        actor=_actor(),
        centre=street_centre.code,
        month="2026-10",
        scores=FULL,
        on=dt.date(2026, 10, 30),
    )
    client = signed_in(supervisor)
    response = client.post(
        "/ratings/inspections/new/",
        {
            "centre": street_centre.code,
            "inspected_on": "2026-10-15",
            "mode": "covert",
            "supervisor": "王敏",
            "findings": "窗口无人值守约二十分钟。",
            "dedication": "2",
        },
    )
    assert response.status_code == 302
    assert Inspection.objects.get().recorded_by == supervisor
    client.post("/ratings/compute/", {"month": "2026-10"})
    rating = MonthlyRating.objects.get(centre=street_centre, month="2026-10")
    assert rating.total == 98 and rating.stars == 5
    table = client.get("/ratings/?month=2026-10").content.decode()
    assert street_centre.name in table and "★★★★★" in table
    card = client.get(f"/ratings/{rating.pk}/").content.decode()
    assert "窗口无人值守" in card and "中心自评" in card
    client.post("/ratings/publish/", {"month": "2026-10"})
    rating.refresh_from_db()
    assert rating.locked
    again = client.post("/ratings/compute/", {"month": "2026-10"}, follow=True)
    assert "已发布" in again.content.decode()


def _actor():
    from bianmin.core.audit import Actor

    return Actor(name="pytest")


def _year(street_centre):
    for n in range(1, 7):
        month = f"2025-{n:02d}"
        services.submit_self_assessment(
            actor=_actor(),
            centre=street_centre.code,
            month=month,
            scores=dict.fromkeys(FULL, "17"),
            on=dt.date(2025, n, 20),
        )
        services.compute_month(actor=_actor(), month=month, on=dt.date(2025, 12, 1))
        services.publish_month(actor=_actor(), month=month)


def test_lists_issue_follow_up_and_export(clock, supervisor, street_centre):
    _year(street_centre)
    client = signed_in(supervisor)
    assert client.post("/ratings/lists/issue/", {"year": "2025"}).status_code == 302
    page = client.get("/ratings/lists/?year=2025").content.decode()
    assert street_centre.name in page and "2026-12-18" in page  # 20 working days after 11-20
    from bianmin.ratings.models import YearNotice

    notice = YearNotice.objects.get(kind="warning")
    client.post(
        f"/ratings/notices/{notice.pk}/follow-up/",
        {"status": "rectified", "note": "已完成整改并通过复查。"},
    )
    notice.refresh_from_db()
    assert notice.status == "rectified"
    response = client.get("/ratings/lists/export/warning/?year=2025")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[2][0] == street_centre.name and rows[2][4] == 6 and rows[2][6] == "已整改"


def test_api_self_assessment_errors_and_scope(clock, street_centre, village_centre):
    wannian = factories.staff("wannian_clerk", role="clerk", division=WANNIAN)
    client = api_as(wannian)
    # 江汉区 staff cannot see 江岸区's centre: unknown, not "not a centre".
    response = client.post(
        f"{API}months/self-assessments/",
        {"centre": street_centre.code, "month": "2026-11", "scores": FULL},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_centre"
    dazhi = api_as(factories.staff("dazhi_c", role="clerk", division=DAZHI_STREET))
    late = dazhi.post(
        f"{API}months/self-assessments/",
        {"centre": street_centre.code, "month": "2026-10", "scores": FULL},
        format="json",
    )
    assert late.status_code == 400 and late.json()["code"] == "self_late"
    ok = dazhi.post(
        f"{API}months/self-assessments/",
        {"centre": street_centre.code, "month": "2026-11", "scores": FULL},
        format="json",
    )
    assert ok.status_code == 201


def test_api_errors_in_english(clock, street_centre):
    client = api_as(factories.staff("dazhi_en", role="clerk", division=DAZHI_STREET))
    response = client.post(
        f"{API}months/self-assessments/",
        {"centre": street_centre.code, "month": "2026-10", "scores": FULL},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "the deadline has passed" in response.json()["detail"]


def test_table_by_district(clock, supervisor, street_centre):
    wannian = factories.org_unit(WANNIAN)
    services.compute_month(actor=_actor(), month="2026-10", on=dt.date(2026, 11, 5))
    client = signed_in(supervisor)
    page = client.get("/ratings/?month=2026-10").content.decode()
    assert 'value="420102"' in page and "江岸区 · 大智街道" in page
    assert street_centre.name in page and wannian.name in page
    only = client.get("/ratings/?month=2026-10&area=420102").content.decode()
    assert street_centre.name in only and wannian.name not in only
