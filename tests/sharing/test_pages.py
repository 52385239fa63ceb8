"""Staff pages and the resident's 数据授权 page."""

from __future__ import annotations

import pytest

from bianmin.core.audit import Actor
from bianmin.sharing import services
from bianmin.sharing.models import Consent, DataAccess
from tests.sharing.conftest import grant
from tests.webclient import signed_in as client_for

pytestmark = pytest.mark.django_db


def test_catalogue_page(mz_officer):
    page = client_for(mz_officer).get("/sharing/catalogue/")
    assert page.status_code == 200
    assert "户籍信息" in page.content.decode() and "健康档案摘要" in page.content.decode()


def test_owner_approves_on_the_requests_page(mz_officer, ga_officer):
    mz = client_for(mz_officer)
    made = mz.post(
        "/sharing/requests/",
        {
            "item": "hukou",
            "purpose": "低保审核",
            "scope_prefix": "4201",
            "requested_until": "2099-12-31",
        },
    )
    assert made.status_code == 302
    ga = client_for(ga_officer)
    page = ga.get("/sharing/requests/").content.decode()
    assert "低保审核" in page and "同意" in page
    from bianmin.sharing.models import AccessRequest

    req = AccessRequest.objects.get()
    ga.post(f"/sharing/requests/{req.pk}/approve/", {"reason": ""})
    req.refresh_from_db()
    assert req.status == "approved"
    assert "有效" in mz.get("/sharing/grants/").content.decode()


def test_access_log_page_only_for_supervisors(mz_officer, supervisor):
    assert client_for(mz_officer).get("/sharing/log/").status_code == 403
    assert client_for(supervisor).get("/sharing/log/").status_code == 200


def test_stats_page(mz_officer):
    page = client_for(mz_officer).get("/sharing/materials-stats/?month=2026-09")
    assert page.status_code == 200 and "2026-09" in page.content.decode()


def test_resident_grants_and_withdraws_consent(portal, resident):
    page = portal.get("/sharing/my/consents/").content.decode()
    assert "残疾人信息" in page and "同意共享" in page
    portal.post("/sharing/my/consents/disability/give/")
    consent = Consent.unscoped.get(person=resident, item_id="disability")
    assert consent.withdrawn_at is None
    assert "撤回授权" in portal.get("/sharing/my/consents/").content.decode()
    portal.post(f"/sharing/my/consents/{consent.pk}/withdraw/")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_resident_cannot_withdraw_someone_elses_consent(portal, jianghan_resident):
    other = services.grant_consent(
        actor=Actor(name="李建国"), person=jianghan_resident, item_code="disability"
    )
    answer = portal.post(f"/sharing/my/consents/{other.pk}/withdraw/")
    assert answer.status_code == 404
    other.refresh_from_db()
    assert other.withdrawn_at is None


def test_resident_sees_who_read_their_shared_data(portal, resident, mz_officer):
    grant("id_card", "MZ")
    services.fetch(
        actor=Actor(mz_officer.pk, "mz", mz_officer.staff.org_unit_id),
        item_code="id_card",
        person=resident,
        purpose="低保审核",
    )
    assert DataAccess.objects.count() == 1
    page = portal.get("/sharing/my/consents/").content.decode()
    assert "民政局" in page and "低保审核" in page


def test_staff_cannot_open_the_consent_page(mz_officer):
    assert client_for(mz_officer).get("/sharing/my/consents/").status_code == 403


def test_portal_access_log_names_the_shared_item_and_department(portal, resident, mz_officer):
    from django.urls import reverse

    grant("id_card", "MZ")
    services.fetch(
        actor=Actor(mz_officer.pk, "mz", mz_officer.staff.org_unit_id),
        item_code="id_card",
        person=resident,
        purpose="低保审核",
    )
    page = portal.get(reverse("portal:access-log")).content.decode()
    assert "居民身份证信息（民政局）" in page and "低保审核" in page


def test_case_page_shows_where_a_shared_material_came_from(dazhi_clerk, elderly_item, applicant):
    from bianmin.cases.services import intake
    from bianmin.registry.access import actor_for
    from tests.cases import builders

    grant("id_card", "MZ")
    case = intake.take_in(
        actor=actor_for(dazhi_clerk),
        item=elderly_item,
        applicant=applicant,
        provided=builders.COMPLETE,
        channel="window",
    ).case
    page = client_for(dazhi_clerk).get(f"/counter/cases/{case.case_no}/").content.decode()
    assert "共享数据：居民身份证信息（公安）" in page


def test_case_page_in_english_translates_the_source(dazhi_clerk, elderly_item, applicant):
    from bianmin.cases.services import intake
    from bianmin.registry.access import actor_for
    from tests.cases import builders

    grant("id_card", "MZ")
    case = intake.take_in(
        actor=actor_for(dazhi_clerk),
        item=elderly_item,
        applicant=applicant,
        provided=builders.COMPLETE,
        channel="window",
    ).case
    page = client_for(dazhi_clerk).get(f"/counter/cases/{case.case_no}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Shared data: " in page.content.decode()
