"""Registration against the 人口库 (one generic answer for every mismatch), rate limits,
sign-in and sign-out, who may enter the portal, and a replaceable identity provider."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.test import Client

from bianmin.core.models import AuditAction, AuditEntry
from bianmin.notifications.models import OutboxMessage
from bianmin.portal import verification
from bianmin.portal.identity import NOT_VERIFIED
from bianmin.portal.models import ResidentAccount
from bianmin.registry.models import LifeStatus, Person
from bianmin.registry.services.people import set_life_status
from tests import factories
from tests.portal.conftest import PORTAL_PASSWORD, RESIDENT_PHONE, signed_in

pytestmark = pytest.mark.django_db

REGISTER = "/portal/register/"
LOGIN = "/portal/login/"


def register(client: Client, person, **overrides):
    data = {
        "name": person.name,
        "id_number": person.id_number_for_test,
        "phone": RESIDENT_PHONE,
        "password": PORTAL_PASSWORD,
        "password2": PORTAL_PASSWORD,
        "consent": "on",
    }
    data.update(overrides)
    return client.post(REGISTER, data)


def page_text(response) -> str:
    return response.content.decode()


CONFIRM = "/portal/register/confirm/"


def sent_code(phone: str = RESIDENT_PHONE) -> str:
    """The code in the last SMS queued to `phone` (what the resident reads on their phone)."""
    message = OutboxMessage.objects.filter(recipient_address=phone).latest("pk")
    return re.search(r"验证码为(\d{6})", message.body).group(1)


def register_and_confirm(client: Client, person, **overrides):
    first = register(client, person, **overrides)
    assert first.status_code == 302 and first["Location"] == CONFIRM, page_text(first)
    return client.post(CONFIRM, {"action": "confirm", "code": sent_code()})


class TestRegistration:
    def test_a_match_opens_the_account_and_signs_in(self, client, resident):
        first = register(client, resident)
        # Details match: a code goes to the registered mobile, and nothing is opened yet.
        assert first.status_code == 302 and first["Location"] == CONFIRM
        assert not ResidentAccount.objects.exists()
        sms = OutboxMessage.objects.get(recipient_address=RESIDENT_PHONE)
        assert sms.channel == "sms" and "10分钟内有效" in sms.body
        confirm_page = page_text(client.get(CONFIRM))
        assert "验证码已发送至户籍登记的手机" in confirm_page and RESIDENT_PHONE not in confirm_page
        response = client.post(CONFIRM, {"action": "confirm", "code": sent_code()})
        assert response.status_code == 302 and response["Location"] == "/portal/"
        account = ResidentAccount.objects.get(person=resident)
        assert account.phone == RESIDENT_PHONE and account.provider == "phone_password"
        assert account.user.check_password(PORTAL_PASSWORD)
        # The user name is random, never the phone number (it reaches logs and audit rows).
        assert RESIDENT_PHONE not in account.user.username
        home = client.get("/portal/")
        assert "王秀英，您好" in page_text(home)
        entry = AuditEntry.objects.filter(object_type="person", object_id=str(resident.pk)).first()
        assert entry.actor_id == account.user_id and entry.action == AuditAction.READ
        assert entry.purpose == "开通网上办事账号（实名核验）"

    def test_spaces_in_the_name_do_not_matter(self, client, resident):
        assert register_and_confirm(client, resident, name=" 王 秀英 ").status_code == 302
        assert ResidentAccount.objects.filter(person=resident).exists()

    @pytest.mark.parametrize(
        "overrides",
        [
            {"name": "王秀兰"},
            {"phone": "13987654321"},
            {"id_number": factories.id_number(birth=dt.date(1944, 3, 8), male=False)},
        ],
        ids=["other-name", "other-phone", "unknown-number"],
    )
    def test_every_mismatch_gets_the_same_answer(self, client, resident, overrides):
        response = register(client, resident, **overrides)
        assert response.status_code == 200
        assert str(NOT_VERIFIED) in page_text(response)
        assert not ResidentAccount.objects.exists()

    def test_a_deceased_person_cannot_be_registered(self, client, resident, system_actor):
        set_life_status(
            actor=system_actor,
            person=resident,
            status=LifeStatus.DECEASED,
            date=dt.date(2026, 1, 2),
            source="死亡医学证明",
        )
        response = register(client, resident)
        assert str(NOT_VERIFIED) in page_text(response)
        assert not ResidentAccount.objects.exists()

    def test_the_answer_does_not_say_which_field_was_wrong(self, client, resident):
        by_name = page_text(register(client, resident, name="王秀兰"))
        by_phone = page_text(register(client, resident, phone="13987654321"))
        strip = lambda html: html.split('name="csrfmiddlewaretoken"')[0]  # noqa: E731
        assert "has-error" not in by_name and "has-error" not in by_phone
        assert strip(by_name) == strip(by_phone)

    def test_input_shape_and_password_are_checked_before_the_registry(self, client, resident):
        number = resident.id_number_for_test
        bad = register(
            client, resident, id_number=number[:17] + ("1" if number[17] != "1" else "2")
        )
        assert "身份证号码校验位错误" in page_text(bad)
        weak = register(client, resident, name="王秀兰", password="12345678", password2="12345678")
        text = page_text(weak)
        # Only the password is complained about: nothing is said about the (wrong) name.
        assert str(NOT_VERIFIED) not in text and "has-error" in text
        assert not ResidentAccount.objects.exists()

    def test_one_account_per_person(self, client, resident, account):
        response = register(client, resident)
        assert "已开通网上账号" in page_text(response)
        assert ResidentAccount.objects.count() == 1

    def test_attempts_per_phone_are_limited(self, client, resident):
        for _ in range(5):
            register(client, resident, name="王秀兰")
        response = register(client, resident)  # now with the right details
        assert "操作过于频繁" in page_text(response)
        assert not ResidentAccount.objects.exists()

    def test_attempts_per_ip_are_limited(self, client, resident, settings):
        settings.BIANMIN = {**settings.BIANMIN, "RATE_LIMITS": {"register_ip": (3, 3600)}}
        for phone in ("13900000001", "13900000002", "13900000003"):
            register(client, resident, phone=phone)
        assert "操作过于频繁" in page_text(register(client, resident))


class TestSmsCode:
    def test_a_wrong_code_opens_nothing_and_five_end_the_step(self, client, resident):
        register(client, resident)
        right = sent_code()
        wrong = "000000" if right != "000000" else "111111"
        for _ in range(4):
            r = client.post(CONFIRM, {"action": "confirm", "code": wrong})
            assert "验证码不正确" in page_text(r)
        r = client.post(CONFIRM, {"action": "confirm", "code": wrong})
        assert "验证码错误次数过多" in page_text(r)
        # Even the right code is no good now: the step is gone.
        r = client.post(CONFIRM, {"action": "confirm", "code": right})
        assert "请先填写注册信息并获取验证码" in page_text(r)
        assert not ResidentAccount.objects.exists()

    def test_an_expired_code_is_refused(self, client, resident, monkeypatch):
        register(client, resident)
        code = sent_code()
        later = time.time() + verification.CODE_TTL + 1
        monkeypatch.setattr(verification.time, "time", lambda: later)
        r = client.post(CONFIRM, {"action": "confirm", "code": code})
        assert "验证码已过期" in page_text(r) and not ResidentAccount.objects.exists()

    def test_the_code_belongs_to_the_browser_that_asked(self, client, resident):
        register(client, resident)
        r = Client().post(CONFIRM, {"action": "confirm", "code": sent_code()})
        assert "请先填写注册信息并获取验证码" in page_text(r)
        assert not ResidentAccount.objects.exists()

    def test_resend_waits_a_minute_then_sends_a_new_code(self, client, resident, monkeypatch):
        register(client, resident)
        first = sent_code()
        r = client.post(CONFIRM, {"action": "resend"})
        assert "秒后再重新获取" in page_text(r)
        later = time.time() + verification.RESEND_AFTER + 1
        monkeypatch.setattr(verification.time, "time", lambda: later)
        client.post(CONFIRM, {"action": "resend"})
        assert OutboxMessage.objects.filter(recipient_address=RESIDENT_PHONE).count() == 2
        second = sent_code()
        if second != first:
            r = client.post(CONFIRM, {"action": "confirm", "code": first})
            assert "验证码不正确" in page_text(r)
        assert client.post(CONFIRM, {"action": "confirm", "code": second}).status_code == 302

    def test_a_death_recorded_between_the_steps_stops_the_account(
        self, client, resident, system_actor
    ):
        register(client, resident)
        Person.unscoped.filter(pk=resident.pk).update(life_status=LifeStatus.DECEASED)
        r = client.post(CONFIRM, {"action": "confirm", "code": sent_code()})
        assert str(NOT_VERIFIED) in page_text(r) and not ResidentAccount.objects.exists()

    def test_the_code_never_reaches_the_log_or_the_page(self, client, resident, caplog):
        register(client, resident)
        code = sent_code()
        assert code not in page_text(client.get(CONFIRM))
        assert code not in caplog.text


class TestSignIn:
    def test_phone_and_password(self, client, account):
        response = client.post(LOGIN, {"phone": RESIDENT_PHONE, "password": PORTAL_PASSWORD})
        assert response.status_code == 302
        assert client.get("/portal/cases/").status_code == 200

    def test_next_is_followed_only_on_this_site(self, client, account):
        response = client.post(
            LOGIN + "?next=/portal/cases/", {"phone": RESIDENT_PHONE, "password": PORTAL_PASSWORD}
        )
        assert response["Location"] == "/portal/cases/"
        client.post("/portal/logout/")
        response = client.post(
            LOGIN + "?next=https://evil.example/",
            {"phone": RESIDENT_PHONE, "password": PORTAL_PASSWORD},
        )
        assert response["Location"] == "/portal/"

    def test_a_wrong_password_or_unknown_phone_is_one_message(self, client, account):
        wrong = client.post(LOGIN, {"phone": RESIDENT_PHONE, "password": "nope-nope"})
        unknown = client.post(LOGIN, {"phone": "13700000000", "password": PORTAL_PASSWORD})
        assert "手机号码或密码不正确" in page_text(wrong)
        assert "手机号码或密码不正确" in page_text(unknown)
        assert client.get("/portal/cases/").status_code == 302

    def test_repeated_failures_lock_the_phone_for_a_while(self, client, account):
        for _ in range(5):
            client.post(LOGIN, {"phone": RESIDENT_PHONE, "password": "nope-nope"})
        response = client.post(LOGIN, {"phone": RESIDENT_PHONE, "password": PORTAL_PASSWORD})
        assert "操作过于频繁" in page_text(response)
        assert client.get("/portal/cases/").status_code == 302

    def test_a_deactivated_account_cannot_sign_in(self, client, account):
        account.user.is_active = False
        account.user.save(update_fields=["is_active"])
        response = client.post(LOGIN, {"phone": RESIDENT_PHONE, "password": PORTAL_PASSWORD})
        assert "手机号码或密码不正确" in page_text(response)

    def test_sign_out_is_a_post(self, account):
        client = signed_in(account)
        assert client.get("/portal/logout/").status_code == 405
        assert client.post("/portal/logout/").status_code == 302
        assert client.get("/portal/cases/").status_code == 302


class TestWhoMayEnter:
    def test_anonymous_visitors_are_sent_to_the_portal_sign_in(self, client):
        response = client.get("/portal/cases/")
        assert response.status_code == 302
        assert response["Location"].startswith("/portal/login/?next=/portal/cases/")

    def test_the_landing_page_and_the_catalogue_are_open(self, client, elderly_item):
        assert "一次认证，全程网办" in page_text(client.get("/portal/"))
        assert elderly_item.name in page_text(client.get("/portal/services/"))

    def test_a_staff_account_is_asked_for_a_resident_account(self, dazhi_clerk):
        client = Client()
        client.force_login(dazhi_clerk)
        response = client.get("/portal/cases/")
        assert response.status_code == 403 and "请使用居民账号" in page_text(response)

    def test_a_resident_is_no_staff_member(self, portal):
        assert portal.get("/").status_code == 403
        assert portal.get("/api/v1/cases/").status_code == 403


class UnifiedIdentity:
    """A stand-in for 统一身份认证: a verified ticket names the person; no registration here."""

    key = "unified"
    can_register = False

    def authenticate(self, request, *, phone="", password="", **_):
        if password != "ticket-ok":
            return None
        return Person.unscoped.filter(phone=phone).order_by("pk").first()

    def register(self, request, **details):
        raise NotImplementedError


class TestReplaceableProvider:
    @pytest.fixture(autouse=True)
    def _unified(self, settings):
        settings.BIANMIN = {
            **settings.BIANMIN,
            "RESIDENT_IDENTITY_PROVIDER": "tests.portal.test_accounts.UnifiedIdentity",
        }

    def test_registration_is_elsewhere(self, client):
        response = client.get(REGISTER)
        assert "请在统一身份认证平台注册" in page_text(response)

    def test_the_first_sign_in_opens_the_local_account(self, client, resident):
        response = client.post(LOGIN, {"phone": RESIDENT_PHONE, "password": "ticket-ok"})
        assert response.status_code == 302
        account = ResidentAccount.objects.get(person=resident)
        assert account.provider == "unified" and not account.user.has_usable_password()
        assert client.get("/portal/cases/").status_code == 200
