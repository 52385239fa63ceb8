"""One person's record through the API: read (audited), change, reveal, life status, tags —
and the full ID number in no answer except the reveal."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core.identifiers import make_citizen_id
from bianmin.core.models import AuditAction, AuditEntry
from tests import factories
from tests.apiclient import api_as, body
from tests.conftest import BAOCHENG, TAINING, WANNIAN

pytestmark = pytest.mark.django_db
NUMBER = make_citizen_id("420102", dt.date(1990, 12, 1), 246)


@pytest.fixture
def person():
    return factories.person(community=BAOCHENG, name="陈静", id_number=NUMBER, male=False)


@pytest.fixture
def client(baocheng_worker):
    return api_as(baocheng_worker)


def url(person, suffix=""):
    return f"/api/v1/people/{person.pk}/{suffix}"


def entries(person, action):
    return AuditEntry.objects.filter(object_type="person", object_id=str(person.pk), action=action)


def test_read_is_audited_with_purpose(client, person, baocheng_worker):
    r = client.get(url(person), {"purpose": "核对低保"})
    assert r.status_code == 200 and r.data["name"] == "陈静" and r.data["sex"] == "F"
    entry = entries(person, AuditAction.READ).get()
    assert entry.actor_id == baocheng_worker.pk and entry.purpose == "核对低保"


def test_unknown_id_is_404(client):
    r = client.get("/api/v1/people/999999/")
    assert r.status_code == 404 and r.data["code"] == "not_found"


def test_full_number_appears_only_in_reveal(client, person):
    # Given every answer about this person that the API can give …
    answers = [
        client.get("/api/v1/people/"),
        client.get(url(person)),
        client.patch(url(person), {"phone": "13600000000"}, format="json"),
        client.post("/api/v1/people/lookup/", {"id_number": NUMBER}, format="json"),
        client.post(
            url(person, "life-status/"),
            {"life_status": "moved_out", "date": "2024-05-01", "source": "派出所"},
            format="json",
        ),
        client.post(url(person, "tags/"), {"tag": "dibao"}, format="json"),
        client.post(
            "/api/v1/people/",
            {"id_number": NUMBER, "name": "重复", "phone": "13600000000"},
            format="json",
        ),
    ]
    # … none contains the number, and none the clear phone.
    for r in answers:
        assert r.status_code < 500
        assert NUMBER not in body(r) and "13600000000" not in body(r)
    revealed = client.post(url(person, "reveal/"), {"purpose": "办理社保卡"}, format="json")
    assert revealed.status_code == 200 and revealed.data == {"id": person.pk, "id_number": NUMBER}
    assert revealed["Cache-Control"] == "no-store, private"
    assert entries(person, AuditAction.REVEAL).get().purpose == "办理社保卡"


def test_reveal_needs_a_purpose(client, person):
    r = client.post(url(person, "reveal/"), {"purpose": ""}, format="json")
    assert r.status_code == 400 and r.data["code"] == "purpose_required"
    assert NUMBER not in body(r) and not entries(person, AuditAction.REVEAL).exists()


def test_reveal_outside_scope_is_403(person, wannian_worker):
    r = api_as(wannian_worker).post(url(person, "reveal/"), {"purpose": "查看"}, format="json")
    assert r.status_code == 403 and NUMBER not in body(r)


class TestPatch:
    def test_changes_and_audits(self, client, person):
        grid = factories.grid(BAOCHENG, 3)
        r = client.patch(
            url(person),
            {"phone": "136 0000 0000", "grid": grid.code, "residence_type": "resident"},
            format="json",
        )
        assert r.status_code == 200, r.data
        assert r.data["phone"] == "136****0000" and r.data["grid"] == grid.code
        assert r.data["area_code"] == grid.code and r.data["residence_type"] == "resident"
        change = entries(person, AuditAction.UPDATE).get().changes
        assert change["phone"] == ["138****5678", "136****0000"]

    def test_identity_is_immutable(self, client, person):
        r = client.patch(url(person), {"id_number": NUMBER, "name": "改名"}, format="json")
        assert r.status_code == 400 and r.data["code"] == "identity_immutable"
        person.refresh_from_db()
        assert person.name == "陈静"

    def test_moving_out_of_own_area_is_refused(self, client, person):
        r = client.patch(url(person), {"residence_division": WANNIAN}, format="json")
        assert r.status_code == 403
        person.refresh_from_db()
        assert person.area_code == BAOCHENG

    def test_bad_phone(self, client, person):
        r = client.patch(url(person), {"phone": "12345"}, format="json")
        assert r.status_code == 400 and r.data["code"] == "phone_format"

    def test_outside_scope(self, person, wannian_worker):
        r = api_as(wannian_worker).patch(url(person), {"name": "x"}, format="json")
        assert r.status_code == 403


class TestLifeStatus:
    def test_death_recorded(self, client, person):
        r = client.post(
            url(person, "life-status/"),
            {"life_status": "deceased", "date": "2025-01-02", "source": "卫健 死亡医学证明"},
            format="json",
        )
        assert r.status_code == 200, r.data
        assert r.data["life_status"] == "deceased" and r.data["status_date"] == "2025-01-02"

    def test_future_date_refused(self, client, person):
        r = client.post(
            url(person, "life-status/"),
            {"life_status": "deceased", "date": "2999-01-01", "source": "x"},
            format="json",
        )
        assert r.status_code == 400 and r.data["code"] == "future_date"
        assert r.data["errors"] == {"date": ["日期不能晚于今天。"]}

    def test_unknown_status_is_a_type_error(self, client, person):
        r = client.post(
            url(person, "life-status/"),
            {"life_status": "zombie", "date": "2020-01-01", "source": "x"},
            format="json",
        )
        assert r.status_code == 400 and r.data["code"] == "invalid_choice"


class TestTags:
    def test_add_show_and_remove(self, client, person):
        r = client.post(url(person, "tags/"), {"tag": "dibao", "source": "民政"}, format="json")
        assert r.status_code == 201 and r.data["tag"]["code"] == "dibao"
        shown = client.get(url(person)).data["tags"]
        assert [t["code"] for t in shown] == ["dibao"]
        assert client.delete(url(person, "tags/dibao/")).status_code == 204
        assert client.get(url(person)).data["tags"] == []

    def test_derived_tag_refused(self, client, person):
        r = client.post(url(person, "tags/"), {"tag": "age-60"}, format="json")
        assert r.status_code == 400 and r.data["code"] == "derived_tag"

    def test_health_tag_hidden_outside_health_department(self, client, person):
        doctor = factories.staff(
            "doctor", role="doctor", division=TAINING[:9] + "000", department="WJ"
        )
        assert (
            api_as(doctor)
            .post(url(person, "tags/"), {"tag": "diabetes"}, format="json")
            .status_code
            == 201
        )
        assert client.get(url(person)).data["tags"] == []
        assert [t["code"] for t in api_as(doctor).get(url(person)).data["tags"]] == ["diabetes"]
        assert "diabetes" not in {t["code"] for t in client.get("/api/v1/tags/").data}
