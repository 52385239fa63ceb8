"""PDF, the public verification page, the portal's 我的证照, the staff list and revoke, and the
certificates in the counter's 一号 view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from bianmin.certificates.models import Certificate
from bianmin.certificates.services import issue_certificate, qr_payload, verify_qr
from bianmin.portal.services.accounts import open_account
from tests import factories
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


@pytest.fixture
def clerk_client(db):
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    client = Client()
    client.force_login(clerk)
    return client


def test_pdf_for_staff(cert, clerk_client):
    answer = clerk_client.get(f"/certificates/{cert.pk}/pdf/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-") and b"STSong-Light" in answer.content
    assert len(answer.content) > 3000
    # the QR code's URL (also a link over the code) verifies the certificate
    url = qr_payload(cert, base_url="http://testserver")
    assert url.encode() in answer.content
    assert verify_qr(url).authentic


def test_public_verification_page(cert):
    url = qr_payload(cert, base_url="")
    page = Client().get(url).content.decode()
    assert "王*兰" in page and "残疾人证" in page and "有效" in page
    assert "王秀兰" not in page and cert.holder_id_masked not in page
    bad = Client().get(url[:-2] + "xx").content.decode()
    assert "未通过核验" in bad and "残疾人证" not in bad
    english = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Valid" in english


def test_portal_lists_own_certificates_only(cert, resident, issuers):
    other = factories.person(community="420102002003", name="赵刚")
    issue_certificate(
        actor=ACTOR,
        type_code="disability_card",
        holder=other,
        issuer=issuers["CL"],
        data={"disability_kind": "视力残疾"},
        issued_on=dt.date(2024, 3, 2),
    )
    account = open_account(
        person=resident, phone="13812345678", provider="phone_password", password="Wang-xiulan-2026"
    )
    client = Client()
    client.force_login(account.user)
    page = client.get("/certificates/mine/").content.decode()
    assert "残疾人证" in page and page.count("row-link") == 1
    assert client.get(f"/certificates/mine/{cert.pk}/pdf/").content.startswith(b"%PDF-")
    theirs = Certificate.unscoped.exclude(pk=cert.pk).get()
    assert client.get(f"/certificates/mine/{theirs.pk}/pdf/").status_code == 404


def test_staff_list_search_and_revoke(cert, clerk_client):
    page = clerk_client.get("/certificates/", {"q": "王秀兰"}).content.decode()
    assert cert.identifier not in page and "王秀兰" in page
    assert "王秀兰" not in clerk_client.get("/certificates/", {"q": "赵"}).content.decode()
    answer = clerk_client.post(f"/certificates/{cert.pk}/revoke/", {"reason": "持证人申请注销"})
    assert answer.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "revoked"


def test_staff_out_of_scope_gets_404(cert):
    outsider = factories.staff("wannian_clerk", role="clerk", division=WANNIAN)
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/certificates/{cert.pk}/").status_code == 404
    assert "王秀兰" not in client.get("/certificates/").content.decode()


def test_applicant_panel_shows_certificates(cert, resident):
    from django.template.loader import render_to_string

    from bianmin.cases.services.precheck import Applicant

    html = render_to_string(
        "certificates/partials/holder_certificates.html",
        {"certificates": [cert]},
    )
    assert "残疾人证" in html
    from bianmin.certificates.templatetags.certificates import holder_certificates

    assert holder_certificates(Applicant(person=resident))["certificates"] == [cert]
