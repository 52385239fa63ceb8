"""户 and 法人库 lists, the division tree (counts in one grouped query), the audit viewer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bianmin.core.identifiers import make_credit_code
from bianmin.core.models import AuditAction
from bianmin.registry.models import OrgUnit
from bianmin.registry.services.organisations import create_organisation
from bianmin.registry.services.people import add_member, create_household
from tests import factories
from tests.conftest import BAOCHENG, JIANGHAN, TAINING, WANNIAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(residents, system_actor):
    mine = create_household(actor=system_actor, number="4201020001", division=BAOCHENG)
    add_member(actor=system_actor, household=mine, person=residents["zhang"], relationship="02")
    add_member(actor=system_actor, household=mine, person=residents["li"], relationship="30")
    create_household(actor=system_actor, number="4201030001", division=WANNIAN)
    return mine


def test_household_list_search_and_detail(clerk_client, households, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = clerk_client.get(reverse("workbench:households"))
    page = list(response.context["page"])
    assert [h.number for h in page] == ["4201020001"]
    assert page[0].head_name == "张伟" and page[0].member_count == 2
    assert [
        h.number
        for h in clerk_client.get(reverse("workbench:households"), {"q": "李秀"}).context["page"]
    ] == ["4201020001"]
    body = clerk_client.get(reverse("workbench:household", args=[households.pk])).content.decode()
    assert "张伟" in body and "李秀英" in body and "户主" in body


def test_household_search_by_a_common_member_name(clerk_client, households, monkeypatch):
    """A name shared by many people is tested 户 by 户 rather than by a list of ids."""
    monkeypatch.setattr("bianmin.registry.queries.MEMBER_IDS_MAX", 0)
    url = reverse("workbench:households")
    for q in ["李秀", "张伟", "4201020001"]:
        assert [h.number for h in clerk_client.get(url, {"q": q}).context["page"]] == ["4201020001"]
    assert list(clerk_client.get(url, {"q": "张敏"}).context["page"]) == []


def test_household_outside_scope_is_403(clerk_client, households):
    from bianmin.registry.models import Household

    other = Household.unscoped.get(number="4201030001")
    assert clerk_client.get(reverse("workbench:household", args=[other.pk])).status_code == 403


def test_organisation_list_and_search(clerk_client, residents, system_actor):
    create_organisation(
        actor=system_actor, credit_code="91350100M000100Y43", name="保成便利店", division=BAOCHENG
    )
    create_organisation(
        actor=system_actor,
        credit_code=_code("92420102", "MA4KXY12B"),
        name="保成热干面馆",
        division=BAOCHENG,
    )
    create_organisation(
        actor=system_actor,
        credit_code=_code("91420103", "MA4ABC123"),
        name="万年商行",
        division=WANNIAN,
    )
    listed = clerk_client.get(reverse("workbench:organisations"))
    assert {o.name for o in listed.context["page"]} == {"保成便利店", "保成热干面馆"}
    by_code = clerk_client.get(reverse("workbench:organisations"), {"q": "91350100"})
    assert [o.name for o in by_code.context["page"]] == ["保成便利店"]
    by_category = clerk_client.get(reverse("workbench:organisations"), {"category": "个体工商户"})
    assert [o.name for o in by_category.context["page"]] == ["保成热干面馆"]


def _code(prefix8: str, body9: str) -> str:
    return make_credit_code(prefix8[:2], prefix8[2:], body9)


def test_division_tree_counts_people_per_child_in_one_query(
    clerk_client, residents, system_actor, django_assert_max_num_queries
):
    factories.person(community=TAINING, name="泰宁居民", actor=system_actor)
    unit = OrgUnit.objects.get(code__contains="420102002000")
    unit.grade = "model"
    unit.save()
    with django_assert_max_num_queries(11):
        response = clerk_client.get(reverse("workbench:divisions"))
    rows = {r["node"].code: r for r in response.context["rows"]}
    assert response.context["node"].code == "420102002000"
    assert rows[BAOCHENG]["people"] == 3 and rows[TAINING]["people"] == 1
    assert response.context["total_people"] == 4
    body = response.content.decode()
    assert "大智街道便民服务中心" in body and "示范型" in body
    # More communities with people do not mean more queries.
    for code in ("420102002005", "420102002008"):  # 先锋社区, 吉庆社区
        factories.person(community=code, name="另一居民", actor=system_actor)
    with django_assert_max_num_queries(11):
        clerk_client.get(reverse("workbench:divisions"))


def test_community_node_lists_its_grids(clerk_client, residents):
    response = clerk_client.get(reverse("workbench:division", args=[BAOCHENG]))
    rows = response.context["rows"]
    assert [(r["key"], r["people"]) for r in rows] == [(f"{BAOCHENG}01", 1)]
    assert response.context["unplaced_people"] == 2  # 李秀英 and 王芳 have no grid


def test_division_outside_scope_is_403(clerk_client, db):
    assert clerk_client.get(reverse("workbench:division", args=[JIANGHAN])).status_code == 403


def test_city_admin_sees_the_whole_city(admin_client, residents):
    response = admin_client.get(reverse("workbench:divisions"))
    assert response.context["node"].code == "420100"
    rows = {r["node"].code: r["people"] for r in response.context["rows"]}
    assert rows["420102"] == 3 and rows["420103"] == 1


def test_audit_viewer_is_for_admins_only(clerk_client, admin_client, residents):
    assert clerk_client.get(reverse("workbench:audit")).status_code == 403
    assert clerk_client.get(reverse("workbench:audit-verify")).status_code == 403
    assert admin_client.get(reverse("workbench:audit")).status_code == 200


def test_superuser_without_staff_record_may_read_the_audit_log(db):
    from django.contrib.auth import get_user_model

    from tests.workbench.conftest import signed_in

    root = get_user_model().objects.create_superuser("root", password=factories.PASSWORD)
    assert signed_in(root).get(reverse("workbench:audit")).status_code == 200


def test_audit_search_and_chain_status(clerk_client, admin_client, residents):
    zhang = residents["zhang"]
    clerk_client.get(reverse("workbench:person", args=[zhang.pk]))
    clerk_client.post(reverse("workbench:person-reveal", args=[zhang.pk]), {"purpose": "核对"})

    def found(**params):
        return list(admin_client.get(reverse("workbench:audit"), params).context["page"])

    by_actor = found(actor="dazhi_clerk")
    assert {e.action for e in by_actor} == {AuditAction.READ, AuditAction.REVEAL}
    assert [e.purpose for e in found(action="reveal")] == ["核对"]
    assert len(found(obj=f"person:{zhang.pk}", actor="dazhi")) == 3  # read, read+reveal
    assert found(obj="张伟", actor="dazhi")[0].object_label == f"张伟 {zhang.id_masked}"
    today = dt.date.today().isoformat()
    assert len(found(actor="dazhi", date_from=today, date_to=today)) == 3
    bad = admin_client.get(
        reverse("workbench:audit"), {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    )
    assert "起始日期不能晚于截止日期" in bad.content.decode()
    verify = admin_client.get(reverse("workbench:audit-verify")).content.decode()
    assert "哈希链完整" in verify


def test_organisation_and_audit_lists_have_bounded_queries(
    clerk_client, admin_client, residents, system_actor, django_assert_max_num_queries
):
    from bianmin.core import crypto

    rep = crypto.decrypt(residents["li"].id_cipher)
    for i in range(12):
        create_organisation(
            actor=system_actor,
            credit_code=_code("92420102", f"MA4KX{i:04d}"),
            name=f"保成商户{i}",
            division=BAOCHENG,
            legal_rep_id_number=rep,
        )
    with django_assert_max_num_queries(8):
        response = clerk_client.get(reverse("workbench:organisations"))
    assert len(response.context["page"]) == 12
    with django_assert_max_num_queries(9):
        response = admin_client.get(reverse("workbench:audit"))
    assert len(response.context["page"]) > 12
