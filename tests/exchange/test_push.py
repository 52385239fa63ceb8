"""Pushes: signatures, envelopes, records, idempotency, dead letters, nothing half-applied."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from bianmin.core import lifecycle
from bianmin.exchange.models import (
    DeadLetter,
    EmploymentRegistration,
    LifeEventRecord,
    PushLog,
    UsedNonce,
)
from bianmin.exchange.signing import signed_headers
from bianmin.registry.models import LifeStatus, Person
from tests import factories
from tests.conftest import BAOCHENG
from tests.exchange.helpers import family

pytestmark = pytest.mark.django_db

DEATHS = "/api/v1/exchange/deaths/"
MOVES = "/api/v1/exchange/moves/"
BATCHES = "/api/v1/exchange/batches/"
YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def death(number: str, record_id: str = "GA-SW-0001", **extra) -> dict:
    return {"record_id": record_id, "id_number": number, "died_on": YESTERDAY, **extra}


@pytest.fixture
def person_number():
    number = factories.id_number(birth=dt.date(1948, 2, 2))
    person = factories.person(community=BAOCHENG, birth=dt.date(1948, 2, 2), id_number=number)
    return person, number


class TestSignature:
    def test_good_signature_applies_the_death(self, ga, person_number):
        person, number = person_number
        r = ga.push(DEATHS, death(number, reason="疾病"))
        assert r.status_code == 200, r.content
        data = r.json()
        assert data["applied"] == 1 and data["results"][0]["status"] == "applied"
        person.refresh_from_db()
        assert person.life_status == LifeStatus.DECEASED
        assert person.status_source == "公安推送"
        assert PushLog.objects.get(pk=data["push"]).outcome == "accepted"

    @pytest.mark.parametrize(
        ("override", "code"),
        [
            ({"X-Bianmin-Signature": "0" * 64}, "bad_signature"),
            ({"X-Bianmin-Client": "ga-unknown"}, "unknown_client"),
            ({"X-Bianmin-Nonce": ""}, "missing_headers"),
        ],
    )
    def test_bad_credentials_are_401_and_change_nothing(self, ga, person_number, override, code):
        person, number = person_number
        r = ga.push(DEATHS, death(number), **override)
        assert r.status_code == 401 and r.json()["code"] == code
        person.refresh_from_db()
        assert person.life_status == LifeStatus.ALIVE
        log = PushLog.objects.get()
        assert (log.outcome, log.reason_code, log.http_status) == ("rejected_auth", code, 401)
        assert not DeadLetter.objects.exists()

    def test_body_changed_after_signing_is_refused(self, ga, person_number):
        _person, number = person_number
        body = json.dumps(death(number)).encode()
        headers = ga.headers(DEATHS, body)
        r = ga.http.post(
            DEATHS,
            data=body.replace(b"GA-SW", b"GA-XX"),
            content_type="application/json",
            **headers,
        )
        assert r.status_code == 401 and r.json()["code"] == "bad_signature"

    def test_expired_timestamp(self, ga, person_number):
        person, number = person_number
        body = json.dumps(death(number)).encode()
        old = timezone.now().timestamp() - 3600
        headers = signed_headers(ga.client_id, ga.secret, "POST", DEATHS, body, at=old)
        r = ga.http.post(
            DEATHS,
            data=body,
            content_type="application/json",
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        )
        assert r.status_code == 401 and r.json()["code"] == "stale_timestamp"
        assert "300" in r.json()["detail"]
        person.refresh_from_db()
        assert person.life_status == LifeStatus.ALIVE

    def test_replayed_nonce(self, ga, person_number):
        _person, number = person_number
        body = json.dumps(death(number)).encode()
        headers = ga.headers(DEATHS, body)
        first = ga.http.post(DEATHS, data=body, content_type="application/json", **headers)
        second = ga.http.post(DEATHS, data=body, content_type="application/json", **headers)
        assert first.status_code == 200
        assert second.status_code == 401 and second.json()["code"] == "replayed_nonce"
        assert UsedNonce.objects.count() == 1

    def test_english_error(self, ga, person_number):
        _person, number = person_number
        r = ga.push(DEATHS, death(number), **{"X-Bianmin-Signature": "ab"})
        assert r.json()["detail"] == "签名校验失败。"
        body = json.dumps(death(number)).encode()
        headers = ga.headers(DEATHS, body, **{"X-Bianmin-Signature": "ab"})
        r = ga.http.post(
            DEATHS, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers
        )
        assert r.json()["detail"] == "Signature verification failed."


class TestRecords:
    def test_malformed_envelope_is_400_and_logged(self, ga):
        r = ga.push(DEATHS, None, raw=b"{not json")
        assert r.status_code == 400 and r.json()["code"] == "malformed_envelope"
        assert PushLog.objects.get().outcome == "rejected_envelope"
        r = ga.push(DEATHS, {"records": []})
        assert r.status_code == 400
        r = ga.push(BATCHES, {"kind": "wedding", "records": [{}]})
        assert r.status_code == 400 and r.json()["code"] == "unknown_kind"

    @pytest.mark.parametrize(
        ("change", "code"),
        [
            ({"id_number": "420102194802020000"}, "invalid_id_number"),
            ({"died_on": "2026-02-30"}, "invalid_date"),
            ({"died_on": None}, "missing_field"),
            ({"died_on": "2099-01-01"}, "future_date"),
        ],
    )
    def test_bad_record_goes_to_dead_letter_masked(self, ga, person_number, change, code):
        person, number = person_number
        r = ga.push(DEATHS, {**death(number), **change})
        assert r.status_code == 422 and r.json()["code"] == code
        letter = DeadLetter.objects.get()
        assert letter.reason_code == code and letter.status == "open"
        assert number not in json.dumps(letter.payload_masked, ensure_ascii=False)
        assert number not in letter.message and number not in r.content.decode()
        person.refresh_from_db()
        assert person.life_status == LifeStatus.ALIVE

    def test_record_error_in_english_while_the_dead_letter_stays_chinese(self, ga):
        stranger = factories.id_number(birth=dt.date(1961, 1, 1))
        body = json.dumps(death(stranger)).encode()
        r = ga.http.post(
            DEATHS,
            data=body,
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
            **ga.headers(DEATHS, body),
        )
        assert "ID number" in r.json()["detail"]  # (the project catalogue has this msgid too)
        assert DeadLetter.objects.get().message == "人口库中没有该身份证号码的记录。"

    def test_unknown_id_number(self, ga):
        stranger = factories.id_number(birth=dt.date(1960, 1, 1))
        r = ga.push(DEATHS, death(stranger))
        assert r.status_code == 422 and r.json()["code"] == "unknown_person"
        letter = DeadLetter.objects.get()
        assert letter.payload_masked["id_number"].count("*") >= 8
        assert not LifeEventRecord.objects.exists()

    def test_replay_answers_the_earlier_result_and_changes_nothing(self, ga, person_number):
        _person, number = person_number
        first = ga.push(DEATHS, death(number)).json()
        again = ga.push(DEATHS, death(number)).json()
        assert again["replayed"] == 1 and again["applied"] == 0
        assert again["results"][0]["life_event"] == first["results"][0]["life_event"]
        assert LifeEventRecord.objects.get().confirmations == []

    def test_same_death_from_another_record_is_a_confirmation(self, ga, person_number):
        _person, number = person_number
        ga.push(DEATHS, death(number, "A1"))
        r = ga.push(DEATHS, death(number, "A2")).json()
        assert r["results"][0]["already"] is True
        assert len(LifeEventRecord.objects.get().confirmations) == 1

    def test_record_id_reused_with_other_content(self, ga, person_number):
        _person, number = person_number
        ga.push(DEATHS, death(number))
        r = ga.push(DEATHS, death(number, reason="其他"))
        assert r.status_code == 422 and r.json()["code"] == "record_id_reused"

    def test_a_dead_lettered_record_may_be_sent_again_corrected(self, ga, person_number):
        person, number = person_number
        ga.push(DEATHS, death(number, died_on="2026-13-01"))
        r = ga.push(DEATHS, death(number))
        assert r.status_code == 200
        assert DeadLetter.objects.get().status == "resolved"
        person.refresh_from_db()
        assert person.life_status == LifeStatus.DECEASED

    def test_kind_not_allowed_for_the_client(self, rs, person_number):
        _person, number = person_number
        r = rs.push(DEATHS, death(number))
        assert r.status_code == 422 and r.json()["code"] == "kind_not_allowed"


class TestBatches:
    def test_batch_with_some_bad_records(self, ga):
        fam = family()
        numbers = {}
        for p in (fam.head, fam.spouse):
            numbers[p.pk] = None
        # The family's numbers are not kept by the factory: register two people we know.
        n1 = factories.id_number(birth=dt.date(1940, 1, 1))
        n2 = factories.id_number(birth=dt.date(1941, 1, 1))
        p1 = factories.person(community=BAOCHENG, birth=dt.date(1940, 1, 1), id_number=n1)
        p2 = factories.person(community=BAOCHENG, birth=dt.date(1941, 1, 1), id_number=n2)
        g2 = factories.grid(BAOCHENG, 2)
        records = [
            {"record_id": "M1", "id_number": n1, "moved_on": YESTERDAY, "grid": g2.code},
            {"record_id": "M2", "id_number": n2, "moved_on": YESTERDAY, "grid": "42010200200377"},
            {"record_id": "M3", "id_number": n2, "moved_on": YESTERDAY},
            "not an object",
        ]
        r = ga.push(BATCHES, {"kind": "move", "records": records})
        assert r.status_code == 200
        data = r.json()
        assert [x["status"] for x in data["results"]] == [
            "applied",
            "dead_letter",
            "dead_letter",
            "dead_letter",
        ]
        assert [x.get("code") for x in data["results"][1:]] == [
            "unknown_grid",
            "move_needs_place",
            "not_an_object",
        ]
        assert (data["applied"], data["dead_lettered"]) == (1, 3)
        assert Person.unscoped.get(pk=p1.pk).grid_id == g2.code
        assert Person.unscoped.get(pk=p2.pk).grid_id is None
        assert DeadLetter.objects.count() == 3

    def test_a_handler_that_raises_dead_letters_the_record_and_keeps_the_rest(
        self, ga, person_number
    ):
        person, number = person_number
        other_number = factories.id_number(birth=dt.date(1950, 1, 1))
        other = factories.person(
            community=BAOCHENG, birth=dt.date(1950, 1, 1), id_number=other_number
        )

        def fails_for(event, actor):
            if event.person_id == person.pk:
                raise RuntimeError("program register unavailable")
            return "fake handler ran"

        lifecycle.register_handler(lifecycle.DEATH, "zz.fake", fails_for, order=999)
        try:
            r = ga.push(
                BATCHES,
                {"kind": "death", "records": [death(number, "B1"), death(other_number, "B2")]},
            )
        finally:
            lifecycle.unregister_handler(lifecycle.DEATH, "zz.fake")
        results = r.json()["results"]
        assert [x["status"] for x in results] == ["dead_letter", "applied"]
        assert results[0]["code"] == "handler_failed"
        assert {"handler": "zz.fake", "summary": "fake handler ran"} in results[1]["outcomes"]
        person.refresh_from_db()
        other.refresh_from_db()
        assert person.life_status == LifeStatus.ALIVE  # nothing half-applied
        assert other.life_status == LifeStatus.DECEASED
        assert LifeEventRecord.objects.filter(person=person).count() == 0


def test_employment_registration_is_recorded(rs, person_number):
    person, number = person_number
    r = rs.push(
        "/api/v1/exchange/employment-registrations/",
        {
            "record_id": "RS-JY-1",
            "id_number": number,
            "registered_on": YESTERDAY,
            "employer": "武汉某某科技有限公司",
        },
    )
    assert r.status_code == 200, r.content
    reg = EmploymentRegistration.objects.get()
    assert reg.person_id == person.pk and reg.source == "人社推送"


class TestCertificates:
    @pytest.fixture
    def rs_issuer(self, db):
        from tests.certificates.conftest import make_issuer

        return make_issuer("RS", body9="055555550")

    def test_employment_registration_issues_the_employment_card_once(
        self, rs, rs_issuer, person_number
    ):
        from bianmin.certificates.models import Certificate

        person, number = person_number
        record = {"id_number": number, "registered_on": YESTERDAY, "employer": "某公司"}
        first = rs.push(
            "/api/v1/exchange/employment-registrations/", {**record, "record_id": "RS-1"}
        ).json()
        second = rs.push(
            "/api/v1/exchange/employment-registrations/", {**record, "record_id": "RS-2"}
        ).json()
        cert = Certificate.objects.get(holder_person=person, type_id="unemployment_card")
        assert first["results"][0]["certificate"] == cert.pk
        assert second["results"][0]["certificate"] == cert.pk
        assert cert.source == "exchange" and cert.issuer_id == rs_issuer.pk
        assert EmploymentRegistration.objects.count() == 2

    def test_certificate_push_loads_it_or_dead_letters_a_bad_one(
        self, rs, rs_issuer, person_number
    ):
        from bianmin.certificates.models import Certificate

        person, number = person_number
        good = {
            "record_id": "RS-C1",
            "id_number": number,
            "certificate_type": "unemployment_card",
            "issued_on": YESTERDAY,
            "data": {"employment_status": "失业", "registered_on": YESTERDAY},
        }
        r = rs.push("/api/v1/exchange/certificates/", good)
        assert r.status_code == 200, r.content
        assert Certificate.objects.filter(holder_person=person).count() == 1
        bad = {**good, "record_id": "RS-C2", "data": {"employment_status": "退休"}}
        r = rs.push("/api/v1/exchange/certificates/", bad)
        assert r.status_code == 422
        assert Certificate.objects.filter(holder_person=person).count() == 1
        assert DeadLetter.objects.get().record_id == "RS-C2"

    def test_no_issuer_for_the_area(self, rs, person_number):
        _person, number = person_number
        r = rs.push(
            "/api/v1/exchange/certificates/",
            {
                "record_id": "RS-C3",
                "id_number": number,
                "certificate_type": "unemployment_card",
                "issued_on": YESTERDAY,
                "data": {"employment_status": "失业", "registered_on": YESTERDAY},
            },
        )
        assert r.status_code == 422 and r.json()["code"] == "no_issuer"
