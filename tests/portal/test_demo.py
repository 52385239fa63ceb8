"""The demo residents `bianmin seed` opens: accounts that sign in with the demo password, a case
to rate and one to supplement, listed by `bianmin demo_logins`; a second run adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from bianmin.cases.models import Case, CaseStatus
from bianmin.portal.demo import load_demo_portal
from bianmin.portal.models import ResidentAccount
from bianmin.registry.demo.staff import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_seed_opens_resident_accounts_with_something_to_do():
    out = StringIO()
    call_command("seed", people=800, seed=42, stdout=out)
    assert "网上办事大厅 portal: 3 个居民账号" in out.getvalue()
    accounts = list(ResidentAccount.objects.select_related("person"))
    assert len(accounts) == 3
    statuses = {c.applicant_person_id: c.status for c in Case.unscoped.filter(channel="online")}
    window = {c.applicant_person_id: c.status for c in Case.unscoped.filter(channel="window")}
    assert CaseStatus.RETURNED in statuses.values()  # the household head's 补正
    assert CaseStatus.DELIVERED in window.values()  # the old resident's case, to rate

    client = Client()
    response = client.post(
        "/portal/login/", {"phone": accounts[0].phone, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302

    logins = StringIO()
    call_command("demo_logins", stdout=logins)
    text = logins.getvalue()
    assert "/portal/" in text
    assert all(a.phone in text for a in accounts)

    assert load_demo_portal() == []  # nobody left without an account: nothing new
    assert ResidentAccount.objects.count() == 3
