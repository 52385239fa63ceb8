"""/api/v1/catalog/: public, read-only; the same filters and versions as the pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from bianmin.catalog.services import revise_item
from bianmin.core.audit import Actor
from tests import factories
from tests.apiclient import api_as
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db
ITEMS = "/api/v1/catalog/items/"


def codes(response) -> set[str]:
    return {row["code"] for row in response.data["results"]}


class TestList:
    def test_anonymous_and_staff_can_read(self, demo_catalog):
        anonymous = APIClient().get(ITEMS)
        assert anonymous.status_code == 200 and anonymous.data["count"] >= 20
        worker = factories.staff("grid_worker", role="grid", division=BAOCHENG)
        staff = api_as(worker).get(ITEMS)
        assert staff.status_code == 200 and staff.data["count"] == anonymous.data["count"]
        row = next(r for r in anonymous.data["results"] if r["code"] == "MZ-001")
        assert row["department"] == {"code": "MZ", "name": "民政局"}
        assert row["item_type_label"] == "行政给付"
        assert row["accept_levels"] == ["town", "village"]
        assert (row["statutory_limit_days"], row["promised_limit_days"]) == (30, 20)

    def test_filters(self, demo_catalog):
        client = APIClient()
        assert codes(client.get(ITEMS, {"department": "GA"})) == {"GA-001", "GA-002", "GA-003"}
        assert codes(client.get(ITEMS, {"type": "licensing", "level": "town"})) == {
            "GA-002",
            "SCJG-001",
            "SCJG-002",
        }
        assert "WJ-002" in codes(client.get(ITEMS, {"online": "false"}))
        assert codes(client.get(ITEMS, {"q": "食品"})) == {"SCJG-002"}

    def test_bad_filter_is_a_400_in_chinese(self, demo_catalog):
        r = APIClient().get(ITEMS, {"level": "province"})
        assert r.status_code == 400 and r.data["code"] == "invalid_choice"
        assert "不是合法选项" in r.data["detail"]

    def test_query_count_does_not_grow_with_the_page(
        self, demo_catalog, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(3):
            r = APIClient().get(ITEMS)
        assert len(r.data["results"]) >= 20


class TestDetail:
    def test_current_version_with_materials_and_steps(self, demo_catalog):
        r = APIClient().get(f"{ITEMS}CL-001/")
        assert r.status_code == 200
        assert r.data["version"] == 1 and r.data["is_current"] is True
        assert "残疾人证管理办法" in r.data["legal_basis"]
        card = next(m for m in r.data["materials"] if m["code"] == "id-card")
        assert card["shared_source"] == "id_card"
        assert card["shared_source_label"] == "居民身份证信息（公安）"
        groups = {}
        for s in r.data["steps"]:
            groups.setdefault(s["parallel_group"], []).append(s["department"]["code"])
        assert sorted(groups[2]) == ["CL", "WJ"]  # 残联审核 ∥ 卫健评定
        assert r.data["result_certificate_type"] == "disability_card"

    def test_older_version(self, demo_catalog):
        revise_item(
            actor=Actor(name="pytest"),
            code="RS-002",
            changes={"promised_limit_days": 5},
            note="调整",
        )
        assert APIClient().get(f"{ITEMS}RS-002/").data["version"] == 2
        old = APIClient().get(f"{ITEMS}RS-002/", {"version": 1})
        assert old.status_code == 200
        assert (old.data["version"], old.data["is_current"], old.data["promised_limit_days"]) == (
            1,
            False,
            3,
        )
        assert len(old.data["materials"]) == 4

    def test_not_found_in_chinese(self, demo_catalog):
        for path in (f"{ITEMS}NOPE/", f"{ITEMS}RS-002/?version=7"):
            r = APIClient().get(path)
            assert r.status_code == 404
            assert r.data == {
                "detail": "没有该服务事项，或该事项没有现行版本。",
                "code": "not_found",
            }
        bad = APIClient().get(f"{ITEMS}RS-002/", {"version": "x"})
        assert bad.status_code == 400 and bad.data["errors"]["version"]

    def test_english_when_asked(self, demo_catalog):
        r = APIClient().get(f"{ITEMS}NOPE/", HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 404 and r.data["code"] == "not_found"

    def test_read_only(self, demo_catalog, city_admin):
        client = api_as(city_admin)
        assert client.post(ITEMS, {"code": "X"}, format="json").status_code == 405
        assert client.put(f"{ITEMS}MZ-001/", {}, format="json").status_code == 405
        assert client.delete(f"{ITEMS}MZ-001/").status_code == 405


def test_bundles(demo_catalog):
    r = APIClient().get("/api/v1/catalog/bundles/")
    assert r.status_code == 200
    restaurant = next(b for b in r.data if b["code"] == "LB-CANYIN")
    assert restaurant["name"] == "我要开餐馆"
    assert [i["code"] for i in restaurant["items"]] == ["SCJG-001", "SCJG-002"]
    assert restaurant["promised_limit_days"] == 5


def test_schema_lists_the_catalogue():
    doc = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/api/v1/catalog/items/", "/api/v1/catalog/items/{code}/"} <= set(doc["paths"])
    assert "/api/v1/catalog/bundles/" in doc["paths"]
