"""A death reaches the portal: the deceased's account can no longer be used — an open session
ends, the password no longer signs in, API tokens are gone — and the account and its data
stay; `bianmin consistency` lists an account a missing handler would leave open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from bianmin.core import lifecycle
from bianmin.core.models import AuditEntry
from bianmin.portal.lifeevents import CHECK, disable_for_death
from bianmin.portal.models import ResidentAccount
from bianmin.registry.services import lifeevents
from bianmin.registry.services.people import set_life_status
from tests.exchange.helpers import ACTOR
from tests.portal.conftest import PORTAL_PASSWORD, RESIDENT_PHONE, signed_in
from tests.webclient import signed_in as staff_client

pytestmark = pytest.mark.django_db
DIED = dt.date(2026, 11, 20)


def test_death_disables_the_account_and_keeps_it(account, client):
    session = signed_in(account)
    assert session.get("/portal/cases/").status_code == 200
    Token.objects.create(user=account.user)

    result = lifeevents.record_death(
        actor=ACTOR, person=account.person, died_on=DIED, source="公安推送"
    )

    summary = dict((o["handler"], o["summary"]) for o in result.outcomes)["portal.account"]
    assert "网上办事账号已停用" in summary
    # The open session no longer belongs to anyone: back to the sign-in page.
    response = session.get("/portal/cases/")
    assert response.status_code == 302 and "/portal/login/" in response["Location"]
    refused = client.post("/portal/login/", {"phone": RESIDENT_PHONE, "password": PORTAL_PASSWORD})
    assert refused.status_code == 200 and client.get("/portal/cases/").status_code == 302
    assert not Token.objects.filter(user=account.user).exists()
    kept = ResidentAccount.objects.get(pk=account.pk)
    assert kept.disabled_reason == "本人死亡" and kept.disabled_at is not None
    assert get_user_model().objects.filter(pk=account.user_id, is_active=False).exists()
    assert AuditEntry.objects.filter(
        object_type="resident_account", object_id=str(account.pk)
    ).exists()
    assert lifecycle.run_checks(only=[CHECK]) == []


def test_the_check_lists_an_account_a_missing_handler_left_open(account):
    lifecycle.unregister_handler(lifecycle.DEATH, "portal.account")
    try:
        lifeevents.record_death(actor=ACTOR, person=account.person, died_on=DIED, source="公安推送")
    finally:
        lifecycle.register_handler(lifecycle.DEATH, "portal.account", disable_for_death, order=40)
    found = lifecycle.run_checks(only=[CHECK])
    assert [(c.model, c.pk, c.person_id) for c in found] == [
        ("portal.ResidentAccount", account.pk, account.person_id)
    ]


def test_a_corrected_death_lets_the_window_restore_the_account(
    account, client, dazhi_clerk, minzu_clerk
):
    person = account.person
    lifeevents.record_death(actor=ACTOR, person=person, died_on=DIED, source="公安推送")
    clerk = staff_client(dazhi_clerk)
    profile = f"/people/{person.pk}/"
    enable = f"/portal/staff/accounts/{person.pk}/enable/"
    page = clerk.get(profile).content.decode()
    assert "已停用" in page and "本人死亡" in page and enable not in page

    # Still registered dead: refused, nothing changes.
    refused = clerk.post(enable, {"reason": "家属称本人健在"}, follow=True)
    assert "仍登记为死亡" in refused.content.decode()
    assert not get_user_model().objects.get(pk=account.user_id).is_active

    set_life_status(
        actor=ACTOR,
        person=person,
        status="alive",
        date=DIED,
        source="公安户籍核查：死亡信息登记有误",
    )
    page = clerk.get(profile).content.decode()
    assert 'data-testid="corrected-death"' in page and "网上办事账号已停用" in page
    assert enable in page

    # Another street's clerk cannot reach this person.
    assert staff_client(minzu_clerk).post(enable, {"reason": "核实健在"}).status_code == 403
    # A reason is required.
    assert "请填写恢复原因" in clerk.post(enable, {"reason": " "}, follow=True).content.decode()
    assert not get_user_model().objects.get(pk=account.user_id).is_active

    done = clerk.post(enable, {"reason": "死亡信息登记有误，已核实本人健在"}, follow=True)
    assert "网上办事账号已恢复" in done.content.decode()
    restored = ResidentAccount.objects.get(pk=account.pk)
    assert restored.disabled_at is None and restored.disabled_reason == ""
    signed = client.post("/portal/login/", {"phone": RESIDENT_PHONE, "password": PORTAL_PASSWORD})
    assert signed.status_code == 302 and client.get("/portal/cases/").status_code == 200
    entry = AuditEntry.objects.filter(object_type="resident_account").latest("id")
    assert entry.changes == {
        "enabled": "死亡信息登记有误，已核实本人健在",
        "was_disabled": "本人死亡",
    }
    assert entry.actor_id == dazhi_clerk.pk
    # Nothing left to restore.
    again = clerk.post(enable, {"reason": "再次恢复"}, follow=True).content.decode()
    assert "未停用" in again
