"""/api/v1/programs/ through HTTP with token authentication."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.programs.models import Enrolment, Visit
from tests import factories
from tests.apiclient import api_as
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db
API = "/api/v1/programs/"
GOOD = {"sbp": 128, "dbp": 82, "control": "good"}


def visit_body(**extra):
    return {
        "visited_on": str(timezone.localdate()),
        "kind": "clinic",
        "data": GOOD,
        "outcome": "continue",
        **extra,
    }


def test_programs_listed(bp_program, baocheng_worker):
    r = api_as(baocheng_worker).get(API + "definitions/")
    assert r.status_code == 200
    assert [p["code"] for p in r.json()] == ["test-bp"]
    assert r.json()[0]["form_schema"][0]["key"] == "sbp"


def test_enrol_visit_and_due_list(bp_program, hypertensive, baocheng_worker):
    client = api_as(baocheng_worker)
    r = client.post(
        API + "enrolments/",
        {
            "program": "test-bp",
            "person": hypertensive.pk,
            "enrolled_on": str(timezone.localdate() - dt.timedelta(days=40)),
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    enrolment_id = r.json()["id"]
    due = client.get(API + "due/", {"bucket": "overdue"}).json()
    assert [e["id"] for e in due] == [enrolment_id]
    assert due[0]["person_id_masked"].count("*") >= 8
    r = client.post(
        API + "visits/", visit_body(program="test-bp", person=hypertensive.pk), format="json"
    )
    assert r.status_code == 201, r.content
    assert client.get(API + "due/", {"bucket": "overdue"}).json() == []
    visits = client.get(API + "visits/", {"enrolment": enrolment_id}).json()
    rows = visits["results"] if isinstance(visits, dict) else visits
    assert rows[0]["data"]["sbp"] == 128


def test_impossible_value_is_a_clear_400(enrolment, baocheng_worker):
    r = api_as(baocheng_worker).post(
        API + "visits/",
        visit_body(enrolment=enrolment.pk, data={**GOOD, "sbp": 400}),
        format="json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "out_of_range"
    assert "400不可能" in r.json()["errors"]["sbp"][0]
    assert not Visit.objects.exists()


def test_english_error_on_request(enrolment, baocheng_worker):
    r = api_as(baocheng_worker).post(
        API + "visits/",
        visit_body(
            enrolment=enrolment.pk, visited_on=str(timezone.localdate() + dt.timedelta(days=3))
        ),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400 and r.json()["code"] == "future_date"
    assert "today" in r.json()["detail"].lower()


def test_visit_for_someone_not_enrolled_is_400(bp_program, hypertensive, baocheng_worker):
    r = api_as(baocheng_worker).post(
        API + "visits/", visit_body(program="test-bp", person=hypertensive.pk), format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "not_enrolled"


def test_other_area_gets_403_and_nothing_changes(enrolment, wannian_worker, hypertensive):
    client = api_as(wannian_worker)
    r = client.post(
        API + "visits/", visit_body(program="test-bp", person=hypertensive.pk), format="json"
    )
    assert r.status_code == 403
    assert client.get(API + f"enrolments/{enrolment.pk}/").status_code == 404
    r = client.post(
        API + "enrolments/", {"program": "test-bp", "person": hypertensive.pk}, format="json"
    )
    assert r.status_code == 403
    assert not Visit.objects.exists() and Enrolment.objects.count() == 1


def test_role_without_grant_is_403(enrolment):
    clerk = factories.staff("clerk2", role="clerk", division=BAOCHENG)
    r = api_as(clerk).post(API + "visits/", visit_body(enrolment=enrolment.pk), format="json")
    assert r.status_code == 403
    assert not Visit.objects.exists()


def test_exit_via_api(enrolment, baocheng_worker):
    client = api_as(baocheng_worker)
    r = client.post(API + f"enrolments/{enrolment.pk}/exit/", {"reason": "refused"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "exited"
    assert r.json()["next_due_on"] is None
    r = client.post(API + f"enrolments/{enrolment.pk}/exit/", {"reason": "refused"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "already_exited"


def test_coverage_via_api(enrolment, baocheng_worker):
    r = api_as(baocheng_worker).get(API + "definitions/test-bp/coverage/")
    assert r.status_code == 200
    assert r.json()["area_code"] == BAOCHENG and r.json()["total"]["enrolled"] == 1
    r = api_as(baocheng_worker).get(API + "definitions/test-bp/coverage/", {"area": "420103"})
    assert r.status_code == 403


def test_needs_a_token():
    from rest_framework.test import APIClient

    assert APIClient().get(API + "due/").status_code in (401, 403)


def test_due_list_is_the_callers_area_only(enrolment, wannian_worker, baocheng_worker):
    from bianmin.programs.models import Enrolment as E

    E.unscoped.filter(pk=enrolment.pk).update(next_due_on=timezone.localdate())
    assert [e["id"] for e in api_as(baocheng_worker).get(API + "due/").json()] == [enrolment.pk]
    assert api_as(wannian_worker).get(API + "due/").json() == []
    r = api_as(baocheng_worker).get(API + "due/", {"limit": "-5"})
    assert r.status_code == 200 and len(r.json()) == 1
    assert api_as(baocheng_worker).get(API + "due/", {"limit": "many"}).status_code == 400
