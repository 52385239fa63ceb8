"""Divisions (any official code form), grids, households with members, tags."""

from __future__ import annotations

import pytest

from bianmin.core.models import AuditAction, AuditEntry
from tests import factories
from tests.apiclient import api_as, body
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING, WANNIAN

pytestmark = pytest.mark.django_db


class TestDivisions:
    @pytest.mark.parametrize("code", ["420100", "4201", "420100000000"])
    def test_city_with_its_districts(self, baocheng_worker, code):
        r = api_as(baocheng_worker).get(f"/api/v1/divisions/{code}/")
        assert r.status_code == 200, r.data
        assert r.data["code"] == "420100" and r.data["name"] == "武汉市"
        children = {c["code"]: c["name"] for c in r.data["children"]}
        assert children["420102"] == "江岸区" and children["420103"] == "江汉区"
        assert r.data["parent"] == "420000"

    @pytest.mark.parametrize("code", ["420102002", DAZHI_STREET])
    def test_street_with_its_communities(self, baocheng_worker, code):
        r = api_as(baocheng_worker).get(f"/api/v1/divisions/{code}/")
        assert r.status_code == 200 and r.data["code"] == DAZHI_STREET
        assert r.data["kind"] == "街道"
        communities = {c["code"]: c for c in r.data["children"]}
        assert communities[BAOCHENG]["name"] == "保成社区"
        assert communities[BAOCHENG]["kind"] == "社区" and communities[BAOCHENG]["level"] == 5

    def test_community_has_no_children(self, baocheng_worker):
        r = api_as(baocheng_worker).get(f"/api/v1/divisions/{BAOCHENG}/")
        assert r.data["children"] == [] and r.data["full_name"].endswith("保成社区")

    @pytest.mark.parametrize("code", ["420199", "420102002999", "12345", "4"])
    def test_unknown_is_404_with_message(self, baocheng_worker, code):
        r = api_as(baocheng_worker).get(f"/api/v1/divisions/{code}/")
        assert r.status_code == 404 and r.data["code"] == "unknown_division"
        assert r.data["detail"] == f"行政区划代码“{code}”不存在。"


class TestGrids:
    def test_by_community_within_scope(self, baocheng_worker):
        factories.grid(BAOCHENG, 1), factories.grid(BAOCHENG, 2), factories.grid(WANNIAN, 1)
        client = api_as(baocheng_worker)
        r = client.get("/api/v1/grids/", {"community": BAOCHENG})
        assert [g["code"] for g in r.data["results"]] == [f"{BAOCHENG}01", f"{BAOCHENG}02"]
        assert r.data["results"][0]["community_name"] == "保成社区"
        assert client.get("/api/v1/grids/", {"community": WANNIAN}).data["count"] == 0
        assert client.get("/api/v1/grids/").data["count"] == 2
        assert client.get("/api/v1/grids/", {"community": "420102002999"}).status_code == 404


class TestHouseholds:
    def test_create_add_members_and_read(self, baocheng_worker):
        client = api_as(baocheng_worker)
        r = client.post(
            "/api/v1/households/",
            {"number": "A1001", "division": BAOCHENG, "address": "胜利街2号"},
            format="json",
        )
        assert r.status_code == 201, r.data
        hid = r.data["id"]
        head = factories.person(community=BAOCHENG, name="户主甲")
        spouse = factories.person(community=BAOCHENG, name="配偶乙", male=False)
        for who, rel in ((head, "02"), (spouse, "10")):
            added = client.post(
                f"/api/v1/households/{hid}/members/",
                {"person": who.pk, "relationship": rel},
                format="json",
            )
            assert added.status_code == 201 and added.data["relationship"] == rel
        second_head = factories.person(community=BAOCHENG, name="另一户主")
        dup = client.post(
            f"/api/v1/households/{hid}/members/",
            {"person": second_head.pk, "relationship": "02"},
            format="json",
        )
        assert dup.status_code == 400 and dup.data["code"] == "duplicate_head"
        detail = client.get(f"/api/v1/households/{hid}/")
        assert detail.status_code == 200 and detail.data["member_count"] == 2
        assert {m["name"] for m in detail.data["members"]} == {"户主甲", "配偶乙"}
        assert AuditEntry.objects.filter(
            object_type="household", object_id=str(hid), action=AuditAction.READ
        ).exists()
        listed = client.get("/api/v1/households/").data["results"]
        assert [(h["number"], h["member_count"]) for h in listed] == [("A1001", 2)]

    def test_household_errors(self, baocheng_worker):
        client = api_as(baocheng_worker)
        r = client.post(
            "/api/v1/households/", {"number": "B1", "division": "420102"}, format="json"
        )
        assert r.status_code == 400 and r.data["code"] == "division_level"
        r = client.post("/api/v1/households/", {"number": "B1", "division": WANNIAN}, format="json")
        assert r.status_code == 403

    def test_member_outside_scope(self, baocheng_worker, city_admin):
        admin = api_as(city_admin)
        hid = admin.post(
            "/api/v1/households/", {"number": "C1", "division": BAOCHENG}, format="json"
        ).data["id"]
        stranger = factories.person(community=TAINING, name="泰宁人")
        r = api_as(baocheng_worker).post(
            f"/api/v1/households/{hid}/members/",
            {"person": stranger.pk, "relationship": "99"},
            format="json",
        )
        assert r.status_code == 403 and stranger.id_masked not in body(r)


def test_tags_list(baocheng_worker):
    codes = [t["code"] for t in api_as(baocheng_worker).get("/api/v1/tags/").data]
    assert "age-60" in codes and "dibao" in codes and "hypertension" not in codes


def test_household_list_has_no_n_plus_one(city_admin, django_assert_max_num_queries):
    from bianmin.core.audit import Actor
    from bianmin.registry.services.people import create_household

    for i in range(31):
        create_household(actor=Actor(name="t"), number=f"H{i:03d}", division=BAOCHENG)
    client = api_as(city_admin)
    with django_assert_max_num_queries(3):
        r = client.get("/api/v1/households/")
    assert r.data["count"] == 31 and r.data["results"][0]["division_name"].endswith("保成社区")


def test_grid_list_has_no_n_plus_one(city_admin, django_assert_max_num_queries):
    for community in (BAOCHENG, TAINING, WANNIAN):
        for seq in range(1, 12):
            factories.grid(community, seq)
    client = api_as(city_admin)
    with django_assert_max_num_queries(3):
        r = client.get("/api/v1/grids/")
    assert r.data["count"] == 33
    assert {g["community_name"][:4] for g in r.data["results"]} == {
        "保成社区",
        "泰宁社区",
        "万年社区",
    }
