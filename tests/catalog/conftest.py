"""Catalogue fixtures: a valid item spec to vary, the demo catalogue, an admin actor."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bianmin.catalog.demo import load_demo_catalog
from bianmin.core.audit import Actor

# A licensing item as an administrator would enter it: two steps side by side in group 2.
SPEC: dict[str, Any] = {
    "name": "公共场所卫生许可（测试）",
    "item_type": "licensing",
    "applicant_kind": "both",
    "department": "WJ",
    "legal_basis": "《公共场所卫生管理条例》第八条。",
    "accept_levels": ["district", "city"],
    "statutory_limit_days": 20,
    "promised_limit_days": 10,
    "online": True,
    "max_visits": 1,
    "allows_deficiency": True,
    "result_certificate_type": "hygiene_license",
    "materials": [
        {"code": "application", "name": "卫生许可申请表", "form": "original"},
        {"code": "id-card", "name": "居民身份证", "form": "original", "shared_source": "id_card"},
        {"code": "rules", "name": "卫生管理制度", "form": "original", "essential": False},
    ],
    "steps": [
        {"name": "受理", "kind": "accept", "department": "WJ", "limit_days": 1},
        {"name": "资料审查", "department": "WJ", "parallel_group": 2, "limit_days": 5},
        {"name": "现场审核", "department": "WJ", "parallel_group": 2, "limit_days": 4},
        {
            "name": "决定",
            "kind": "decide",
            "department": "WJ",
            "parallel_group": 3,
            "limit_days": 2,
        },
    ],
}


def spec(**overrides: Any) -> dict[str, Any]:
    return {**copy.deepcopy(SPEC), **overrides}


@pytest.fixture
def admin_actor(city_admin) -> Actor:
    return Actor(city_admin.pk, "city_admin", city_admin.staff.org_unit_id)


@pytest.fixture
def demo_catalog(db):
    load_demo_catalog()
