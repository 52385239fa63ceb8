"""Issuing, revoking, expiring, key rotation and revocation, verification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bianmin.certificates import signing
from bianmin.certificates.identifiers import parse_identifier
from bianmin.certificates.models import Certificate, SigningKey
from bianmin.certificates.queries import current_certificate, effective_status
from bianmin.certificates.services import (
    expire_due,
    issue_certificate,
    qr_payload,
    revoke,
    revoke_key,
    rotate_key,
    verify_qr,
)
from bianmin.core import crypto
from bianmin.core.models import AuditEntry
from tests.certificates.conftest import ACTOR

pytestmark = pytest.mark.django_db
BASE = "https://bianmin.example.gov.cn"


def disability(resident, issuer, **kw):
    return issue_certificate(
        actor=ACTOR,
        type_code="disability_card",
        holder=resident,
        issuer=issuer,
        data=kw.pop("data", {"disability_kind": "肢体残疾", "disability_grade": "三级"}),
        issued_on=kw.pop("issued_on", dt.date(2024, 3, 1)),
        **kw,
    )


def test_issue_numbers_signs_and_audits(resident, issuers):
    cert = disability(resident, issuers["CL"])
    parsed = parse_identifier(cert.identifier)
    assert parsed.type_code == "CL4201001"
    assert parsed.issuer_code == issuers["CL"].credit_code
    assert parsed.serial == "2024000001" and parsed.version == 1
    assert cert.holder_type_code == "111" and cert.holder_key == resident.id_hash
    assert cert.holder_id_masked == resident.id_masked
    assert cert.valid_until == dt.date(2034, 2, 28)  # ten years, ending the day before
    assert cert.area_code == resident.area_code
    assert signing.signature_matches(
        cert.signing_key, signing.canonical_content(cert), cert.signature
    )
    assert AuditEntry.objects.filter(object_type="certificate", object_id=str(cert.pk)).exists()
    second = disability(resident, issuers["CL"])
    assert parse_identifier(second.identifier).serial == "2024000002"


def test_canonical_content_is_sorted_compact_json_without_the_id_number(resident, issuers):
    cert = disability(resident, issuers["CL"])
    content = signing.canonical_content(cert).decode()
    assert content.startswith('{"data":{"disability_grade":"三级","disability_kind":"肢体残疾"}')
    assert " " not in content
    assert crypto.decrypt(resident.id_cipher) not in content
    assert f'"key":"{resident.id_hash}"' in content


@pytest.mark.parametrize(
    "data,code",
    [
        ({"disability_kind": "肢体残疾", "colour": "红"}, "unknown_field"),
        ({"disability_kind": "腿脚不便"}, "invalid_choice"),
    ],
)
def test_data_is_checked_against_the_type(resident, issuers, data, code):
    with pytest.raises(ValidationError) as e:
        disability(resident, issuers["CL"], data=data)
    assert e.value.error_dict["data"][0].code == code
    assert not Certificate.unscoped.exists()


def test_required_field_and_holder_kind(resident, enterprise, issuers):
    with pytest.raises(ValidationError) as e:
        issue_certificate(
            actor=ACTOR,
            type_code="business_license",
            holder=enterprise,
            issuer=issuers["SCJG"],
            data={"entity_type": "有限责任公司"},
            issued_on=dt.date(2024, 1, 2),
        )
    assert e.value.error_dict["data"][0].code == "field_required"
    with pytest.raises(ValidationError) as e:
        issue_certificate(
            actor=ACTOR,
            type_code="business_license",
            holder=resident,
            issuer=issuers["SCJG"],
            data={},
            issued_on=dt.date(2024, 1, 2),
        )
    assert e.value.error_dict["holder"][0].code == "holder_kind"


def test_organisation_certificate_uses_the_credit_code(enterprise, issuers):
    cert = issue_certificate(
        actor=ACTOR,
        type_code="business_license",
        holder=enterprise,
        issuer=issuers["SCJG"],
        data={
            "entity_type": "有限责任公司",
            "legal_rep": "李强",
            "established": "2019-05-20",
            "address": "武汉市江岸区中山大道1234号",
        },
        issued_on=dt.date(2019, 5, 20),
        source="exchange",
        source_system="市场主体登记注册系统",
    )
    assert cert.holder_type_code == "001" and cert.holder_key == enterprise.credit_code
    assert cert.valid_until is None
    assert current_certificate(holder=enterprise, type_code="business_license") == cert


def test_deceased_holder_gets_nothing(resident, issuers):
    from bianmin.registry.services.people import set_life_status

    set_life_status(
        actor=ACTOR, person=resident, status="deceased", date=dt.date(2025, 1, 5), source="公安推送"
    )
    resident.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        disability(resident, issuers["CL"])
    assert e.value.error_dict["holder"][0].code == "holder_deceased"


def test_current_certificate(resident, issuers):
    assert current_certificate(holder=resident, type_code="disability_card") is None
    old = disability(resident, issuers["CL"], issued_on=dt.date(2010, 5, 1))  # until 2020
    assert effective_status(old) == "expired"
    assert current_certificate(holder=resident, type_code="disability_card") is None
    cert = disability(resident, issuers["CL"])
    assert current_certificate(holder=resident, type_code="disability_card") == cert
    assert current_certificate(holder=resident, type_code="elderly_card") is None
    revoke(actor=ACTOR, certificate=cert, reason="换发新证")
    assert current_certificate(holder=resident, type_code="disability_card") is None


def test_revoke_needs_a_reason_and_a_valid_certificate(resident, issuers):
    cert = disability(resident, issuers["CL"])
    with pytest.raises(ValidationError) as e:
        revoke(actor=ACTOR, certificate=cert, reason="  ")
    assert e.value.error_dict["reason"][0].code == "reason_required"
    revoke(actor=ACTOR, certificate=cert, reason="持证人申请注销")
    cert.refresh_from_db()
    assert (cert.status, cert.status_reason) == ("revoked", "持证人申请注销")
    assert cert.status_changed_at is not None
    with pytest.raises(ValidationError) as e:
        revoke(actor=ACTOR, certificate=cert, reason="再次注销")
    assert e.value.code == "not_valid"


def test_expiry_job(resident, issuers):
    old = disability(resident, issuers["CL"], issued_on=dt.date(2010, 5, 1))
    current = disability(resident, issuers["CL"])
    assert expire_due(actor=ACTOR) == 1
    old.refresh_from_db()
    current.refresh_from_db()
    assert (old.status, old.status_reason) == ("expired", "有效期届满")
    assert current.status == "valid"
    assert expire_due(actor=ACTOR) == 0


def test_qr_verifies_and_reports_status(resident, issuers):
    cert = disability(resident, issuers["CL"])
    payload = qr_payload(cert, base_url=BASE)
    assert payload.startswith(f"{BASE}/certificates/v/{cert.identifier}/?k=")
    result = verify_qr(payload)
    assert (result.authentic, result.reason, result.status) == (True, "ok", "valid")
    revoke(actor=ACTOR, certificate=cert, reason="持证人申请注销")
    result = verify_qr(payload)
    assert (result.authentic, result.status) == (True, "revoked")


def test_tampering_fails(resident, issuers):
    cert = disability(resident, issuers["CL"])
    other = disability(resident, issuers["CL"])
    payload = qr_payload(cert, base_url=BASE)
    sig = cert.signature
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    assert verify_qr(payload.replace(sig, flipped)).reason == "bad_signature"
    # another certificate's signature under this identifier
    assert verify_qr(payload.replace(sig, other.signature)).reason == "bad_signature"
    # one character of the identifier changed: the check character catches it first
    changed = cert.identifier.replace(".2024000001.", ".2024000003.")
    assert verify_qr(payload.replace(cert.identifier, changed)).reason == "bad_check_character"
    assert verify_qr("https://example.com/some/page").reason == "malformed"
    assert (
        verify_qr(payload.replace(f"k={cert.signing_key_id}", "k=k-nobody")).reason == "unknown_key"
    )
    # the library's row changed behind the signature's back
    Certificate.unscoped.filter(pk=cert.pk).update(
        data={"disability_kind": "视力残疾", "disability_grade": "一级"}
    )
    result = verify_qr(payload)
    assert (result.authentic, result.reason, result.status) == (False, "bad_signature", None)


def test_rotation_keeps_old_signatures_and_revocation_kills_them(resident, issuers):
    before = disability(resident, issuers["CL"])
    old_key = before.signing_key_id
    new_key = rotate_key(actor=ACTOR)
    assert new_key.key_id != old_key
    assert SigningKey.objects.get(pk=old_key).state == "retired"
    after = disability(resident, issuers["CL"])
    assert after.signing_key_id == new_key.key_id
    assert verify_qr(qr_payload(before, base_url=BASE)).authentic
    assert verify_qr(qr_payload(after, base_url=BASE)).authentic

    with pytest.raises(ValidationError):
        revoke_key(actor=ACTOR, key_id=old_key, reason="")
    revoke_key(actor=ACTOR, key_id=old_key, reason="私钥疑似泄露")
    result = verify_qr(qr_payload(before, base_url=BASE))
    assert (result.authentic, result.reason) == (False, "key_revoked")
    assert verify_qr(qr_payload(after, base_url=BASE)).authentic
    with pytest.raises(ValidationError) as e:
        revoke_key(actor=ACTOR, key_id=old_key, reason="再次")
    assert e.value.code == "already_revoked"


def test_private_keys_are_stored_sealed(resident, issuers):
    cert = disability(resident, issuers["CL"])
    key = cert.signing_key
    assert key.private_cipher.startswith("v1:")
    assert timezone.now() >= key.created_at


def test_issuer_by_credit_code_and_registration(resident):
    from bianmin.certificates.services import register_issuer
    from bianmin.core.identifiers import make_credit_code

    code = make_credit_code("11", "420102", "011111118")
    with pytest.raises(ValidationError) as e:
        disability(resident, code)
    assert e.value.error_dict["issuer"][0].code == "unknown_issuer"
    with pytest.raises(ValidationError) as e:
        register_issuer(
            actor=ACTOR,
            credit_code=code[:-1] + "0" if code[-1] != "0" else code[:-1] + "1",
            name="武汉市江岸区残疾人联合会",
            department_code="CL",
            division_code="420102",
        )
    assert e.value.code == "credit_code_check_digit"
    issuer = register_issuer(
        actor=ACTOR,
        credit_code=code,
        name="武汉市江岸区残疾人联合会",
        department_code="CL",
        division_code="420102",
    )
    cert = disability(resident, code.lower())
    assert cert.issuer == issuer and cert.issuer_credit_code == code
