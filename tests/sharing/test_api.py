"""/api/v1/sharing/: catalogue, requests and decisions, grants, consents, log, statistics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.sharing import services
from bianmin.sharing.models import DataAccess, Grant
from tests.webclient import signed_in as client_for

pytestmark = pytest.mark.django_db


def test_catalogue_lists_items_with_owner_and_sensitivity(mz_officer):
    rows = client_for(mz_officer).get("/api/v1/sharing/items/").json()
    by_code = {r["code"]: r for r in rows}
    assert by_code["hukou"]["owner"] == "GA" and by_code["hukou"]["sensitivity"] == "general"
    assert by_code["dibao"]["sensitivity"] == "sensitive" and by_code["dibao"]["has_provider"]
    assert by_code["marriage"]["has_provider"] is False
    assert "health_summary" in by_code


def test_request_approve_and_revoke_over_the_api(mz_officer, ga_officer, cl_officer):
    until = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    mz = client_for(mz_officer)
    made = mz.post(
        "/api/v1/sharing/requests/",
        {
            "item": "hukou",
            "purpose": "低保审核",
            "scope_prefix": "420102",
            "requested_until": until,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    # Another department neither sees nor decides it.
    assert client_for(cl_officer).post(f"/api/v1/sharing/requests/{pk}/approve/").status_code == 403
    ga = client_for(ga_officer)
    assert [r["id"] for r in ga.get("/api/v1/sharing/requests/").json()] == [pk]
    approved = ga.post(
        f"/api/v1/sharing/requests/{pk}/approve/", {}, content_type="application/json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    [g] = mz.get("/api/v1/sharing/grants/").json()
    assert g["state"] == "active" and g["scope_prefix"] == "420102"
    no_reason = ga.post(
        f"/api/v1/sharing/grants/{g['id']}/revoke/", {}, content_type="application/json"
    )
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    revoked = ga.post(
        f"/api/v1/sharing/grants/{g['id']}/revoke/",
        {"reason": "用途结束"},
        content_type="application/json",
    )
    assert revoked.json()["state"] == "revoked"
    assert Grant.objects.get().revoked_at is not None


def test_a_bad_request_is_a_400_in_chinese(mz_officer):
    answer = client_for(mz_officer).post(
        "/api/v1/sharing/requests/",
        {"item": "hukou", "purpose": "x", "scope_prefix": "99", "requested_until": "2099-01-01"},
        content_type="application/json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_scope"


def test_access_log_is_for_supervisors_within_their_area(supervisor, mz_officer, resident):
    with pytest.raises(services.AccessDenied):
        services.fetch(
            actor=Actor(mz_officer.pk, "mz", mz_officer.staff.org_unit_id),
            item_code="hukou",
            person=resident,
            purpose="低保审核",
        )
    assert client_for(mz_officer).get("/api/v1/sharing/access-log/").status_code == 403
    rows = client_for(supervisor).get("/api/v1/sharing/access-log/?outcome=denied").json()
    assert [(r["item_code"], r["reason_code"]) for r in rows] == [("hukou", "no_grant")]
    assert rows[0]["person_masked"] == resident.id_masked
    assert DataAccess.objects.count() == 1


def test_consents_are_listed_within_the_area(baocheng_worker, wannian_worker, resident):
    services.grant_consent(actor=Actor(name="王秀英"), person=resident, item_code="disability")
    rows = client_for(baocheng_worker).get("/api/v1/sharing/consents/").json()
    assert [(r["person"], r["item"]) for r in rows] == [(resident.pk, "disability")]
    assert client_for(wannian_worker).get("/api/v1/sharing/consents/").json() == []


def test_materials_stats_endpoint(mz_officer):
    ok = client_for(mz_officer).get("/api/v1/sharing/materials-stats/?month=2026-09")
    assert ok.status_code == 200 and ok.json() == {"month": "2026-09", "total": 0, "items": []}
    bad = client_for(mz_officer).get("/api/v1/sharing/materials-stats/?month=2026-9")
    assert bad.status_code == 400
