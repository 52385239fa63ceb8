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
from tests.exchange.helpers import ACTOR
from tests.portal.conftest import PORTAL_PASSWORD, RESIDENT_PHONE, signed_in

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
