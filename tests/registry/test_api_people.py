"""人口库 API through HTTP, token-authenticated, with real ID numbers and Wuhan divisions."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core.audit import Actor
from bianmin.core.identifiers import id_check_char, make_citizen_id
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.models import Person
from bianmin.registry.services.people import tag_person
from tests import factories
from tests.apiclient import api_as, body
from tests.conftest import BAOCHENG, TAINING, WANNIAN

pytestmark = pytest.mark.django_db
PEOPLE = "/api/v1/people/"
LOOKUP = "/api/v1/people/lookup/"
NUMBER = make_citizen_id("420102", dt.date(1958, 3, 9), 123)


def new_person(client, **extra):
    data = {"id_number": NUMBER, "name": "刘建国", "phone": "13907101234"}
    data.update(extra)
    return client.post(PEOPLE, data, format="json")


@pytest.fixture
def baocheng(baocheng_worker):
    return api_as(baocheng_worker)


class TestCreate:
    def test_valid_number_derives_birth_date_sex_and_masks(self, baocheng):
        r = new_person(baocheng, residence_division=BAOCHENG, residence_address="胜利街1号")
        assert r.status_code == 201, r.data
        # Given a number born 1958-03-09 with an odd sequence digit, the person is a man.
        assert r.data["birth_date"] == "1958-03-09"
        assert r.data["sex"] == "M" and r.data["sex_display"] == "男"
        assert r.data["age"] == Person.objects.get(pk=r.data["id"]).age
        assert r.data["id_number_masked"] == NUMBER[:6] + "********" + NUMBER[-4:]
        assert r.data["phone"] == "139****1234"
        assert r.data["residence_division"] == BAOCHENG
        assert r.data["area_code"] == BAOCHENG
        assert NUMBER not in body(r) and "13907101234" not in body(r)
        tags = {t["code"] for t in r.data["tags"]}
        assert "age-60" in tags and "age-65" in tags and "age-80" not in tags

    def test_residence_may_follow_later(self, city_admin):
        r = new_person(api_as(city_admin), registered_division="420102")
        assert r.status_code == 201, r.data
        assert r.data["residence_division"] is None and r.data["area_code"] == "420102"

    def test_bad_check_digit(self, baocheng):
        wrong = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
        r = new_person(baocheng, id_number=wrong, residence_division=BAOCHENG)
        assert r.status_code == 400
        assert r.data["code"] == "id_number_check_digit"
        assert "校验位" in r.data["detail"] and "id_number" in r.data["errors"]

    def test_impossible_birth_date(self, baocheng):
        first17 = "42010219850230123"
        r = new_person(baocheng, id_number=first17 + id_check_char(first17))
        assert r.status_code == 400 and r.data["code"] == "id_number_birth_date"

    def test_malformed_phone_and_unknown_division_reported_together(self, baocheng):
        r = new_person(baocheng, phone="0271234", residence_division="420102002999")
        assert r.status_code == 400
        assert r.data["errors"].keys() >= {"phone", "residence_division"}
        assert "手机号码" in r.data["errors"]["phone"][0]
        assert "420102002999" in r.data["errors"]["residence_division"][0]

    def test_unknown_division_code(self, baocheng):
        r = new_person(baocheng, residence_division="420102002999")
        assert r.status_code == 400 and r.data["code"] == "unknown_division"

    def test_missing_field_is_a_typed_400(self, baocheng):
        r = baocheng.post(PEOPLE, {"id_number": NUMBER}, format="json")
        assert r.status_code == 400 and r.data["code"] == "required"
        assert set(r.data["errors"]) == {"name", "phone"}
        assert r.data["detail"] == "该字段是必填项。"

    def test_english_on_request(self, baocheng):
        r = baocheng.post(PEOPLE, {"id_number": NUMBER}, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert r.data["detail"] == "This field is required."

    def test_duplicate_is_400_not_500(self, baocheng):
        assert new_person(baocheng, residence_division=BAOCHENG).status_code == 201
        r = new_person(baocheng, residence_division=BAOCHENG, name="另一人")
        assert r.status_code == 400 and r.data["code"] == "duplicate_id_number"
        assert NUMBER not in body(r)

    def test_legacy_15_digit_number_is_upgraded(self, baocheng):
        legacy = NUMBER[:6] + NUMBER[8:17]
        r = new_person(baocheng, id_number=legacy, residence_division=BAOCHENG)
        assert r.status_code == 201, r.data
        assert r.data["birth_date"] == "1958-03-09"
        assert r.data["id_number_masked"].endswith(NUMBER[-4:])  # the 18-digit check char
        # The same person given in the 18-digit form is a duplicate, and found by look-up.
        assert new_person(baocheng, residence_division=BAOCHENG).data["code"] == (
            "duplicate_id_number"
        )
        found = baocheng.post(LOOKUP, {"id_number": NUMBER}, format="json")
        assert found.status_code == 200 and found.data["id"] == r.data["id"]

    def test_outside_own_area_is_403(self, baocheng):
        r = new_person(baocheng, residence_division=WANNIAN)
        assert r.status_code == 403 and r.data["code"] == "out_of_scope"
        assert not Person.unscoped.exists()

    def test_needs_a_token(self):
        from rest_framework.test import APIClient

        r = APIClient().post(PEOPLE, {"id_number": NUMBER}, format="json")
        assert r.status_code == 401 and r.data["code"] == "not_authenticated"


class TestLookup:
    def test_found_and_audited(self, baocheng, baocheng_worker):
        person = factories.person(community=BAOCHENG, id_number=NUMBER)
        r = baocheng.post(LOOKUP, {"id_number": NUMBER, "purpose": "窗口办理"}, format="json")
        assert r.status_code == 200 and r.data["id"] == person.pk
        assert NUMBER not in body(r)
        entry = AuditEntry.objects.filter(object_type="person", object_id=str(person.pk)).first()
        assert entry.action == AuditAction.READ and entry.actor_id == baocheng_worker.pk
        assert entry.purpose == "窗口办理"

    def test_not_found_is_404_in_chinese(self, baocheng):
        r = baocheng.post(LOOKUP, {"id_number": NUMBER}, format="json")
        assert r.status_code == 404 and r.data["code"] == "not_found"
        assert r.data["detail"] == "人口库中没有该身份证号码的记录。"

    @pytest.mark.parametrize(
        ("number", "code"),
        [
            ("4201021958030912", "id_number_format"),
            ("42010219580309123A", "id_number_format"),
            (NUMBER[:17] + ("1" if NUMBER[17] != "1" else "2"), "id_number_check_digit"),
        ],
    )
    def test_malformed_is_400_with_code(self, baocheng, number, code):
        r = baocheng.post(LOOKUP, {"id_number": number}, format="json")
        assert r.status_code == 400 and r.data["code"] == code

    def test_other_communitys_worker_gets_403(self, wannian_worker):
        factories.person(community=BAOCHENG, id_number=NUMBER)
        r = api_as(wannian_worker).post(LOOKUP, {"id_number": NUMBER}, format="json")
        assert r.status_code == 403 and r.data["code"] == "out_of_scope"
        assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()

    def test_number_never_in_url(self, baocheng):
        assert baocheng.get(LOOKUP, {"id_number": NUMBER}).status_code == 405


class TestListScoping:
    def test_worker_sees_only_own_community(self, baocheng, wannian_worker):
        mine = factories.person(community=BAOCHENG, name="保成居民")
        theirs = factories.person(community=WANNIAN, name="万年居民")
        neighbour = factories.person(community=TAINING, name="泰宁居民")
        r = baocheng.get(PEOPLE)
        assert r.status_code == 200
        assert r.data["count"] == 1 and [p["id"] for p in r.data["results"]] == [mine.pk]
        # Nor by any filter, nor by ID, nor by look-up.
        assert baocheng.get(PEOPLE, {"name": "万年"}).data["count"] == 0
        assert baocheng.get(f"{PEOPLE}{theirs.pk}/").status_code == 403
        assert baocheng.get(f"{PEOPLE}{neighbour.pk}/").status_code == 403
        wannian = api_as(wannian_worker).get(PEOPLE)
        assert [p["id"] for p in wannian.data["results"]] == [theirs.pk]

    def test_filters(self, city_admin):
        grid = factories.grid(BAOCHENG, 1)
        a = factories.person(community=BAOCHENG, name="张伟", grid=grid.code)
        b = factories.person(community=WANNIAN, name="王芳", birth=dt.date(1940, 1, 1))
        client = api_as(city_admin)

        def ids(**params):
            r = client.get(PEOPLE, params)
            assert r.status_code == 200, r.data
            return {p["id"] for p in r.data["results"]}

        assert ids() == {a.pk, b.pk}
        assert ids(name="张") == {a.pk}
        assert ids(initials="WF") == {b.pk}
        assert ids(last4=b.id_last4) >= {b.pk}
        assert ids(grid=grid.code) == {a.pk}
        assert ids(area="420103") == {b.pk}
        assert ids(tag="age-80") == {b.pk}
        assert ids(residence_type="floating") == set()
        assert ids(life_status="alive", name="王") == {b.pk}
        assert client.get(PEOPLE, {"tag": "no-such-tag"}).data["code"] == "unknown_tag"
        assert client.get(PEOPLE, {"area": "湖北"}).status_code == 400

    def test_list_has_no_n_plus_one(self, city_admin, django_assert_max_num_queries):
        grid = factories.grid(BAOCHENG, 1)
        client = api_as(city_admin)
        people = [
            factories.person(community=BAOCHENG, name=f"居民{i}", grid=grid.code) for i in range(35)
        ]
        for p in people[:10]:
            tag_person(actor=Actor(name="残联"), person=p, tag_code="disabled")
        # token, count, page, tag links, derived tags: the same for 35 rows as for 1.
        with django_assert_max_num_queries(6):
            r = client.get(PEOPLE, {"page_size": 50})
        assert r.data["count"] == 35 and len(r.data["results"]) == 35
        assert sum(1 for p in r.data["results"] for t in p["tags"] if t["code"] == "disabled") == 10
