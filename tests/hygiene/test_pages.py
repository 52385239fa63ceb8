"""Hygiene pages and API through the client: the public 公示 without login, the scoring form
with bad input, the calendar, and scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from bianmin.hygiene import services
from bianmin.hygiene.models import Inspection, PlannedInspection
from tests import factories
from tests.apiclient import api_as
from tests.conftest import DAZHI_STREET, WANNIAN
from tests.hygiene.conftest import scores_for, sheet
from tests.webclient import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(db):
    return factories.staff("dazhi_doctor", role="doctor", division=DAZHI_STREET)


def test_public_page_needs_no_login_and_shows_graded_places(actor, hotel):
    services.register_place(
        actor=actor,
        name="保成美发店",
        place_type="salon",
        area_code="420102002003",
        address="武汉市江岸区保成路8号",
        operator_name="江岸区保成美发店",
    )
    services.record_inspection(
        actor=actor,
        place=hotel.pk,
        inspected_on=dt.date(2026, 3, 10),
        inspectors="李华、张伟",
        scores=scores_for("hotel", Decimal(80)),
    )
    page = Client().get("/hygiene/public/").content.decode()
    assert "大智宾馆" in page and "2026-03-10" in page and ">B<" in page
    assert "保成美发店" not in page  # not graded yet
    only_a = Client().get("/hygiene/public/?grade=A").content.decode()
    assert "大智宾馆" not in only_a
    api = Client().get("/api/v1/hygiene/public/").json()
    assert api["results"][0]["grade"] == "B"
    # Staff pages need a login.
    assert Client().get("/hygiene/").status_code == 302


def test_scoring_form_bad_input_then_good(inspector, hotel):
    client = signed_in(inspector)
    items = sheet()
    data = {"inspected_on": "2026-03-10", "inspectors": "李华、张伟"}
    data |= {f"item_{i.pk}": str(i.max_points) for i in items}
    data[f"item_{items[0].pk}"] = "99"
    bad = client.post(f"/hygiene/{hotel.pk}/inspect/", data)
    assert bad.status_code == 200 and "须在0至10.0之间" in bad.content.decode()
    assert not Inspection.objects.exists()
    data[f"item_{items[0].pk}"] = "10"
    key = next(i for i in items if i.key)
    data[f"fail_{key.pk}"] = "on"
    ok = client.post(f"/hygiene/{hotel.pk}/inspect/", data)
    assert ok.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.total == 100 and inspection.grade == "P"
    detail = client.get(f"/hygiene/{hotel.pk}/").content.decode()
    assert "整改复查" in detail and "1 项不合格" in detail


def test_calendar_page_and_generation(inspector, hotel):
    client = signed_in(inspector)
    year = dt.date.today().year
    client.post("/hygiene/calendar/generate/", {"year": str(year), "month": f"{year}-01"})
    visit = PlannedInspection.objects.get(place=hotel)
    page = client.get(f"/hygiene/calendar/?month={visit.due_on:%Y-%m}").content.decode()
    assert "大智宾馆" in page and "首次量化评分" in page


def test_api_scope_and_unknown_place(actor, hotel):
    other = api_as(factories.staff("wannian_doctor", role="doctor", division=WANNIAN))
    assert other.get("/api/v1/hygiene/places/").json()["count"] == 0
    response = other.post(
        f"/api/v1/hygiene/places/{hotel.pk}/inspections/",
        {"inspected_on": "2026-03-10", "inspectors": "李华、张伟", "scores": {}},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "unknown_place"
    own = api_as(factories.staff("dazhi_doc", role="doctor", division=DAZHI_STREET))
    response = own.post(
        f"/api/v1/hygiene/places/{hotel.pk}/inspections/",
        {
            "inspected_on": "2026-03-10",
            "inspectors": "李华、张伟",
            "scores": scores_for("hotel", Decimal("69.9")),
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["grade"] == "C"
    history = own.get(f"/api/v1/hygiene/places/{hotel.pk}/").json()
    assert history["grade"] == "C" and len(history["inspections"]) == 1


def test_api_errors_in_english(actor, hotel):
    client = api_as(factories.staff("dazhi_doc_en", role="doctor", division=DAZHI_STREET))
    scores = scores_for("hotel", Decimal(95))
    scores[next(iter(scores))] = "11"
    response = client.post(
        f"/api/v1/hygiene/places/{hotel.pk}/inspections/",
        {"inspected_on": "2026-03-10", "inspectors": "李华、张伟", "scores": scores},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and response.json()["code"] == "score_range"
    assert "must score between 0 and 10.0" in response.json()["detail"]
