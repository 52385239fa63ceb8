"""The public keys, public verification, and the staff list of a holder's certificates."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from bianmin.certificates.services import issue_certificate, qr_payload, revoke_key
from tests import factories
from tests.apiclient import api_as, body
from tests.certificates.conftest import ACTOR
from tests.conftest import DAZHI_STREET, WANNIAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def cert(resident, issuers):
    return issue_certificate(
        actor=ACTOR,
        type_code="disability_card",
        holder=resident,
        issuer=issuers["CL"],
        data={"disability_kind": "肢体残疾", "disability_grade": "三级"},
        issued_on=dt.date(2024, 3, 1),
    )


def test_keys_are_public(cert):
    answer = APIClient().get("/api/v1/certificates/keys/")
    assert answer.status_code == 200
    (key,) = answer.json()["keys"]
    assert key["key_id"] == cert.signing_key_id and key["state"] == "active"
    assert key["jwk"]["crv"] == "Ed25519" and key["algorithm"] == "Ed25519"
    assert "private" not in body(answer)


def test_verify_answers_authentic_and_minimal_data(cert, resident):
    payload = qr_payload(cert, base_url="http://testserver")
    answer = APIClient().post("/api/v1/certificates/verify/", {"qr": payload}, format="json")
    data = answer.json()
    assert answer.status_code == 200
    assert (data["authentic"], data["status"], data["reason"]) == (True, "valid", "ok")
    assert data["certificate"]["holder"] == "王*兰"
    assert data["certificate"]["type"] == "残疾人证"
    assert data["certificate"]["issued_on"] == "2024-03-01"
    assert resident.id_masked not in body(answer) and "王秀兰" not in body(answer)


def test_verify_refuses_tampered_and_revoked_keys(cert):
    payload = qr_payload(cert, base_url="http://testserver")
    tampered = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    data = APIClient().post("/api/v1/certificates/verify/", {"qr": tampered}, format="json").json()
    assert (data["authentic"], data["reason"], data["certificate"]) == (
        False,
        "bad_signature",
        None,
    )
    revoke_key(actor=ACTOR, key_id=cert.signing_key_id, reason="私钥疑似泄露")
    data = APIClient().post("/api/v1/certificates/verify/", {"qr": payload}, format="json").json()
    assert (data["authentic"], data["reason"]) == (False, "key_revoked")
    answer = APIClient().post(
        "/api/v1/certificates/verify/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 400


def test_holder_list_is_for_staff_in_scope(cert, resident):
    from bianmin.registry.services.people import reveal_id_number

    number = reveal_id_number(actor=ACTOR, person=resident, purpose="测试")
    assert APIClient().get("/api/v1/certificates/", {"id_number": number}).status_code in (401, 403)
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    answer = api_as(clerk).get("/api/v1/certificates/", {"id_number": number})
    assert answer.status_code == 200
    (row,) = answer.json()
    assert row["identifier"] == cert.identifier and row["status"] == "valid"
    assert number not in body(answer)
    outsider = factories.staff("wannian_clerk", role="clerk", division=WANNIAN)
    assert api_as(outsider).get("/api/v1/certificates/", {"id_number": number}).status_code == 403


def test_holder_list_without_a_number_says_what_is_missing_in_either_language(cert):
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    zh = api_as(clerk).get("/api/v1/certificates/")
    assert zh.status_code == 400 and "请提供公民身份号码或统一社会信用代码" in body(zh)
    en = api_as(clerk).get("/api/v1/certificates/", HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 400 and "Give a citizen ID number" in body(en)
