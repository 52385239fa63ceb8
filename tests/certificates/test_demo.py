"""The demo loader: issuing authorities, certificates for approved cases' holders and loaded
ones by population group."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.certificates.demo import load_demo_certificates, load_demo_registers, org_code
from bianmin.certificates.models import Certificate, Issuer
from bianmin.certificates.services import qr_payload, verify_qr
from bianmin.core import crypto
from bianmin.core.identifiers import make_credit_code, parse_credit_code
from bianmin.registry.services.organisations import create_organisation
from bianmin.registry.services.people import tag_person
from tests import factories
from tests.certificates.conftest import ACTOR
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db


def test_org_codes_make_valid_credit_codes():
    import random

    rng = random.Random(1)
    for _ in range(50):
        parse_credit_code(make_credit_code("11", "420102", org_code(rng)))


def test_loader_builds_a_consistent_library():
    disabled = factories.person(community=BAOCHENG, name="刘建国", birth=dt.date(1970, 1, 1))
    tag_person(actor=ACTOR, person=disabled, tag_code="disabled")
    elder = factories.person(
        community=BAOCHENG, name="陈桂英", male=False, birth=dt.date(1940, 2, 2)
    )
    floating = factories.person(
        community=BAOCHENG,
        name="周明",
        birth=dt.date(1992, 7, 7),
        residence_type="floating",
        residence_address="武汉市江岸区大智路12号",
    )
    enterprise = create_organisation(
        actor=ACTOR,
        credit_code=make_credit_code("92", "420102", "MA4K67890"),
        name="武汉市江岸区周明小吃店",
        division=BAOCHENG,
        address="武汉市江岸区大智路14号",
        established=dt.date(2021, 8, 1),
        legal_rep_id_number=crypto.decrypt(floating.id_cipher),
    )
    lines: list[str] = []
    load_demo_certificates(seed=1, log=lines.append)
    assert Issuer.objects.filter(division_id="420102").count() >= 4
    for issuer in Issuer.objects.all():
        parse_credit_code(issuer.credit_code)
    kinds = dict(
        Certificate.unscoped.values_list("holder_person_id", "type_id").exclude(holder_person=None)
    )
    assert kinds[disabled.pk] == "disability_card"
    assert kinds[elder.pk] == "elderly_card"
    assert kinds[floating.pk] == "residence_permit"
    org_cert = Certificate.unscoped.get(holder_org=enterprise)
    assert org_cert.type_id == "business_license" and org_cert.source == "exchange"
    today = timezone.localdate()
    for cert in Certificate.unscoped.all():
        assert verify_qr(qr_payload(cert, base_url="https://x.example")).authentic
        assert cert.status != "valid" or cert.valid_until is None or cert.valid_until >= today
    assert "电子证照" in lines[-1]
    before = Certificate.unscoped.count()
    load_demo_certificates(seed=1, log=lines.append)  # a second run adds nothing
    assert Certificate.unscoped.count() == before and "补发 0 本" in lines[-1]
    load_demo_registers(seed=1, log=lines.append)
    assert "已有证照" in lines[-1] and Certificate.unscoped.count() == before
