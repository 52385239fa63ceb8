"""In a real browser: someone scans a certificate's QR code and opens the public verification
page (no login); the holder sees the certificate under 我的证照 in the portal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from bianmin.certificates import reference
from bianmin.certificates.services import issue_certificate, qr_payload, revoke
from bianmin.portal.services.accounts import open_account
from tests import factories
from tests.browser.conftest import shoot
from tests.certificates.conftest import ACTOR, make_issuer
from tests.conftest import BAOCHENG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def certificate():
    reference.load(apps, None)  # a flushed live-server database lost the migration's types
    resident = factories.person(
        community=BAOCHENG, name="王秀兰", male=False, birth=dt.date(1950, 3, 8)
    )
    return issue_certificate(
        actor=ACTOR,
        type_code="disability_card",
        holder=resident,
        issuer=make_issuer("CL", body9="011111118"),
        data={"disability_kind": "肢体残疾", "disability_grade": "三级"},
        issued_on=dt.date(2024, 3, 1),
    )


def test_scanning_the_qr_code_opens_the_verification(page, live_server, certificate):
    page.goto(qr_payload(certificate, base_url=live_server.url))
    assert page.get_by_test_id("authentic").inner_text() == "真实"
    assert page.get_by_test_id("status").inner_text() == "有效"
    assert page.get_by_test_id("holder").inner_text() == "王*兰"
    html = page.content()
    assert "王秀兰" not in html and certificate.holder_id_masked not in html
    shoot(page, "certificate-verified")

    revoke(actor=ACTOR, certificate=certificate, reason="持证人申请注销")
    page.reload()
    assert page.get_by_test_id("status").inner_text() == "已注销"

    forged = qr_payload(certificate, base_url=live_server.url)[:-4] + "AAAA"
    page.goto(forged)
    assert page.get_by_test_id("authentic").inner_text() == "未通过核验"
    assert "残疾人证" not in page.get_by_test_id("verification").inner_text()
    shoot(page, "certificate-forged")


def test_the_holder_sees_it_in_the_portal(page, live_server, certificate):
    account = open_account(
        person=certificate.holder_person,
        phone="13812345678",
        provider="phone_password",
        password="Wang-xiulan-2026",
    )
    client = Client()
    client.force_login(account.user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto("/portal/me/")
    page.get_by_role("link", name="我的证照").click()
    page.wait_for_url("**/certificates/mine/")
    rows = page.get_by_test_id("my-certificates").locator("li")
    assert rows.count() == 1
    assert "残疾人证" in rows.first.inner_text() and "有效" in rows.first.inner_text()
    shoot(page, "certificates-mine")
