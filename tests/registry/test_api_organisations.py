"""法人库 API: GB 32100 codes judged by the service, scoping, masked legal representative."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core.identifiers import make_citizen_id, make_credit_code
from bianmin.core.models import AuditAction, AuditEntry
from tests import factories
from tests.apiclient import api_as, body
from tests.conftest import BAOCHENG, JIANGAN, JIANGHAN

pytestmark = pytest.mark.django_db
ORGS = "/api/v1/organisations/"


@pytest.fixture
def admin(city_admin):
    return api_as(city_admin)


def register(client, code, **extra):
    return client.post(
        ORGS, {"credit_code": code, "name": "武汉测试有限公司", **extra}, format="json"
    )


@pytest.mark.parametrize(
    ("code", "registrar", "category"),
    [
        ("91350100M000100Y43", "工商", "企业"),  # a real-format enterprise code
        (make_credit_code("92", "420103", "MA4KXXXXX"), "工商", "个体工商户"),
        (make_credit_code("N2", "420102", "MA4K00001"), "农业", "村级集体经济组织"),
        (make_credit_code("51", "420100", "MJ0000000"), "民政", "社会团体"),
    ],
)
def test_valid_codes(admin, code, registrar, category):
    r = register(admin, code.lower(), division=JIANGAN)
    assert r.status_code == 201, r.data
    assert r.data["credit_code"] == code
    assert (r.data["registrar"], r.data["org_category"]) == (registrar, category)
    assert r.data["division"] == "420102" and r.data["area_code"] == "420102"


def test_letter_first_code_without_division_takes_its_region(admin):
    code = make_credit_code("N2", "420102", "MA4K00001")
    r = register(admin, code)
    assert r.status_code == 201 and r.data["area_code"] == "420102"


def test_bad_check_character(admin):
    code = "91350100M000100Y43"
    r = register(admin, code[:17] + "4", division=JIANGAN)
    assert r.status_code == 400 and r.data["code"] == "credit_code_check_digit"
    assert list(r.data["errors"]) == ["credit_code"]


@pytest.mark.parametrize("code", ["91350100M000100Y4", "9135010OM000100Y43", "Z1350100M000100Y43"])
def test_malformed(admin, code):
    r = register(admin, code, division=JIANGAN)
    assert r.status_code == 400 and r.data["code"].startswith("credit_code_")


def test_duplicate_is_400(admin):
    assert register(admin, "91350100M000100Y43", division=JIANGAN).status_code == 201
    r = register(admin, "91350100M000100Y43", division=JIANGHAN, name="别名")
    assert r.status_code == 400 and r.data["code"] == "duplicate_credit_code"


def test_legal_rep_is_masked(admin):
    number = make_citizen_id("420102", dt.date(1970, 5, 20), 11)
    rep = factories.person(community=BAOCHENG, name="李强", id_number=number)
    r = register(admin, "91350100M000100Y43", division=JIANGAN, legal_rep_id_number=number)
    assert r.status_code == 201, r.data
    assert r.data["legal_rep"] == {"id": rep.pk, "name": "李强", "id_number_masked": rep.id_masked}
    assert number not in body(r)
    detail = admin.get(f"{ORGS}{r.data['id']}/")
    assert detail.status_code == 200 and number not in body(detail)
    assert number not in body(admin.get(ORGS))


def test_unknown_legal_rep(admin):
    number = make_citizen_id("420102", dt.date(1970, 5, 20), 11)
    r = register(admin, "91350100M000100Y43", legal_rep_id_number=number, division=JIANGAN)
    assert r.status_code == 400 and r.data["code"] == "legal_rep_unknown"
    assert number not in body(r)


def test_read_is_audited_and_scoped(admin, baocheng_worker, wannian_worker):
    org = register(admin, "91350100M000100Y43", division=JIANGAN).data
    r = api_as(baocheng_worker).get(f"{ORGS}{org['id']}/")
    # A community worker's area (420102002003) does not cover the district (420102).
    assert r.status_code == 403
    assert admin.get(f"{ORGS}{org['id']}/").status_code == 200
    assert (
        AuditEntry.objects.filter(
            object_type="organisation", object_id=str(org["id"]), action=AuditAction.READ
        ).count()
        == 1
    )
    assert api_as(wannian_worker).get(ORGS).data["count"] == 0


def test_list_filters_and_query_count(admin, django_assert_max_num_queries):
    for i in range(32):
        register(admin, make_credit_code("91", "420102", f"MA4K{i:05d}"), division=JIANGAN)
    register(admin, make_credit_code("92", "420103", "MA4KXXXXX"), division=JIANGHAN, name="小卖部")
    with django_assert_max_num_queries(4):
        r = admin.get(ORGS)
    assert r.data["count"] == 33
    assert admin.get(ORGS, {"name": "小卖部"}).data["count"] == 1
    assert admin.get(ORGS, {"org_category": "个体工商户"}).data["count"] == 1
    assert admin.get(ORGS, {"area": "420103"}).data["count"] == 1
    assert admin.get(ORGS, {"credit_code": "91420102"}).data["count"] == 32
