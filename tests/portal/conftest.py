"""Portal fixtures: the case fixtures (大智街道 and 民族街街道 centres, 民政 reviewers, residents,
the clock), resident accounts opened through the portal's own service, and a signed-in client.

Uploads go to a temporary MEDIA_ROOT; the cache (rate limits) is cleared around each test."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from bianmin.core.audit import Actor
from bianmin.portal.models import ResidentAccount
from bianmin.portal.services.accounts import open_account
from bianmin.registry.services.people import update_person
from tests.cases import conftest as case_fixtures
from tests.evaluation import conftest as evaluation_fixtures

applicant = case_fixtures.applicant
clock = case_fixtures.clock
dazhi_clerk = case_fixtures.dazhi_clerk
elderly_item = case_fixtures.elderly_item
jianghan_resident = case_fixtures.jianghan_resident
minzu_clerk = case_fixtures.minzu_clerk
mz_reviewer = case_fixtures.mz_reviewer
resident = case_fixtures.resident
cases = evaluation_fixtures.cases

PORTAL_PASSWORD = "Wang-xiuying-2026"
RESIDENT_PHONE = "13812345678"  # what tests.factories.person gives everyone


@pytest.fixture(autouse=True)
def _sharing(sharing_arranged):
    """Intake fetches shared materials before it decides: the city's grants are in place."""


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def open_for(person, phone: str, password: str = PORTAL_PASSWORD) -> ResidentAccount:
    return open_account(person=person, phone=phone, provider="phone_password", password=password)


@pytest.fixture
def account(resident) -> ResidentAccount:
    """王秀英's portal account (her registered mobile, her password)."""
    return open_for(resident, RESIDENT_PHONE)


@pytest.fixture
def other_account(jianghan_resident) -> ResidentAccount:
    """李建国 of 万年社区 — a different resident with a phone of his own."""
    update_person(actor=Actor(name="pytest"), person=jianghan_resident, phone="13900002222")
    return open_for(jianghan_resident, "13900002222")


def signed_in(account: ResidentAccount) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


@pytest.fixture
def portal(account) -> Client:
    return signed_in(account)
