"""Sharing fixtures: the case fixtures (大智街道 centre, 民政 reviewer, 王秀英 of 保成社区),
department staff of 公安 and 民政, grants made through the services, and resident accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.registry.access import actor_for
from bianmin.sharing import services
from bianmin.sharing.models import AccessRequest, Grant
from tests import factories
from tests.cases import conftest as case_fixtures
from tests.conftest import JIANGAN
from tests.portal import conftest as portal_fixtures

applicant = case_fixtures.applicant
clock = case_fixtures.clock
dazhi_clerk = case_fixtures.dazhi_clerk
elderly_item = case_fixtures.elderly_item
jianghan_resident = case_fixtures.jianghan_resident
mz_reviewer = case_fixtures.mz_reviewer
resident = case_fixtures.resident
supervisor = case_fixtures.supervisor
account = portal_fixtures.account
portal = portal_fixtures.portal
_media_and_cache = portal_fixtures._media_and_cache


@pytest.fixture
def ga_officer(db):
    """A 公安 officer of 江岸区: the owner of 户籍 and 身份证 data."""
    return factories.staff("ga_officer", role="reviewer", division=JIANGAN, department="GA")


@pytest.fixture
def mz_officer(db):
    """A 民政 officer of 江岸区: owner of 低保 data, a user of 户籍 data."""
    return factories.staff("mz_officer", role="reviewer", division=JIANGAN, department="MZ")


@pytest.fixture
def cl_officer(db):
    return factories.staff("cl_officer", role="reviewer", division=JIANGAN, department="CL")


def grant(item_code: str, department: str, *, scope: str = "4201", days: int = 365) -> Grant:
    """A grant as it comes about: the department asks, the owner approves."""
    from bianmin.sharing.models import SharedDataItem

    owner = SharedDataItem.objects.get(code=item_code).owner_id
    asker = factories.staff(
        f"ask_{department}_{item_code}", role="reviewer", division="420100", department=department
    )
    decider = factories.staff(
        f"own_{department}_{item_code}", role="reviewer", division="420100", department=owner
    )
    req = services.request_access(
        actor=actor_for(asker),
        item_code=item_code,
        purpose="测试用途",
        scope_prefix=scope,
        until=timezone.localdate() + dt.timedelta(days=days),
    )
    return services.approve(actor=actor_for(decider), request=req)


def expire(g: Grant) -> None:
    """Let a grant run out (as time passing would): both dates moved into the past."""
    past = timezone.localdate() - dt.timedelta(days=1)
    Grant.objects.filter(pk=g.pk).update(valid_from=past - dt.timedelta(days=30), valid_until=past)
    AccessRequest.objects.filter(pk=g.request_id).update(requested_until=past)
