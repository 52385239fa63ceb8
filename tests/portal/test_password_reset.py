"""忘记密码: the window resets a resident's password after checking their ID card in person; the
temporary password goes by SMS to the sign-in phone only, and the portal asks for a new one
before anything else. The resident can change their password any time."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from bianmin.core.masking import mask_text
from bianmin.core.models import AuditEntry
from bianmin.notifications.models import OutboxMessage
from bianmin.portal.models import ResidentAccount
from tests.portal.conftest import PORTAL_PASSWORD, RESIDENT_PHONE, signed_in
from tests.webclient import signed_in as staff_client

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Chunfeng-2026-hao"


def reset(clerk: Client, account, **data):
    url = f"/portal/staff/accounts/{account.person_id}/reset-password/"
    return clerk.post(url, data, follow=True)


def temporary_password(account) -> str:
    message = OutboxMessage.objects.get(related_type="resident_account", related_id=account.pk)
    assert message.recipient_address == RESIDENT_PHONE
    return re.search(r"临时密码：([a-z0-9]+)", message.body).group(1)


def sign_in(client: Client, password: str):
    return client.post("/portal/login/", {"phone": RESIDENT_PHONE, "password": password})


def test_the_window_resets_and_the_resident_must_set_a_new_password(account, client, dazhi_clerk):
    session = signed_in(account)
    clerk = staff_client(dazhi_clerk)
    page = clerk.get(f"/people/{account.person_id}/").content.decode()
    assert "重置登录密码" in page and "138****5678" in page

    refused = reset(clerk, account).content.decode()  # ID card not checked
    assert "请先当面核验本人居民身份证" in refused
    assert not OutboxMessage.objects.filter(related_type="resident_account").exists()

    done = reset(clerk, account, identity_checked="on").content.decode()
    assert "临时密码已通过短信发送" in done
    temporary = temporary_password(account)
    assert temporary not in done  # the clerk never sees it
    assert len(temporary) == 10
    message = OutboxMessage.objects.get(related_type="resident_account")
    assert temporary not in mask_text(message.body)  # as an administrator's failed list shows it
    # The old password and the open session are gone.
    assert session.get("/portal/cases/").status_code == 302
    assert sign_in(Client(), PORTAL_PASSWORD).status_code == 200

    assert sign_in(client, temporary).status_code == 302
    # Anything but setting a new password leads to the password page.
    for path in ("/portal/", "/portal/cases/", "/portal/me/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/portal/me/password/"
    page = client.get("/portal/me/password/").content.decode()
    assert "请输入短信收到的临时密码" in page

    weak = client.post(
        "/portal/me/password/", {"current": temporary, "new": "12345678", "new2": "12345678"}
    )
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    wrong = client.post(
        "/portal/me/password/",
        {"current": "not-it", "new": NEW_PASSWORD, "new2": NEW_PASSWORD},
    )
    assert "当前密码不正确" in wrong.content.decode()
    assert ResidentAccount.objects.get(pk=account.pk).must_change_password

    changed = client.post(
        "/portal/me/password/",
        {"current": temporary, "new": NEW_PASSWORD, "new2": NEW_PASSWORD},
    )
    assert changed.status_code == 302 and changed["Location"] == "/portal/me/"
    assert client.get("/portal/cases/").status_code == 200  # this session stays signed in
    assert not ResidentAccount.objects.get(pk=account.pk).must_change_password
    assert sign_in(Client(), NEW_PASSWORD).status_code == 302

    actions = list(
        AuditEntry.objects.filter(object_type="resident_account", object_id=str(account.pk))
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert {"password_reset": True, "identity_checked": True} in actions
    assert {"password_changed": True} in actions
    assert not any(temporary in str(c) or NEW_PASSWORD in str(c) for c in actions)


def test_outside_the_clerks_area_nothing_happens(account, minzu_clerk):
    url = f"/portal/staff/accounts/{account.person_id}/reset-password/"
    response = staff_client(minzu_clerk).post(url, {"identity_checked": "on"})
    assert response.status_code == 403
    assert not OutboxMessage.objects.filter(related_type="resident_account").exists()


def test_a_disabled_account_is_not_reset(account, dazhi_clerk):
    get_user_model().objects.filter(pk=account.user_id).update(is_active=False)
    answer = reset(staff_client(dazhi_clerk), account, identity_checked="on").content.decode()
    assert "已停用，不能重置密码" in answer
    assert not OutboxMessage.objects.filter(related_type="resident_account").exists()


def test_the_resident_changes_the_password_from_me(portal):
    assert "修改登录密码" in portal.get("/portal/me/").content.decode()
    same = portal.post(
        "/portal/me/password/",
        {"current": PORTAL_PASSWORD, "new": PORTAL_PASSWORD, "new2": PORTAL_PASSWORD},
    )
    assert "新密码不能与当前密码相同" in same.content.decode()
    mismatch = portal.post(
        "/portal/me/password/",
        {"current": PORTAL_PASSWORD, "new": NEW_PASSWORD, "new2": NEW_PASSWORD + "x"},
    )
    assert "两次输入的密码不一致" in mismatch.content.decode()
    ok = portal.post(
        "/portal/me/password/",
        {"current": PORTAL_PASSWORD, "new": NEW_PASSWORD, "new2": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    assert sign_in(Client(), NEW_PASSWORD).status_code == 302
