"""Create forms: errors in zh-Hans next to the field, and nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bianmin.core.identifiers import make_citizen_id, make_credit_code
from bianmin.core.models import AuditEntry
from bianmin.registry.models import Household, Organisation, Person
from tests import factories
from tests.conftest import BAOCHENG, TAINING, WANNIAN

pytestmark = pytest.mark.django_db


def person_data(**overrides) -> dict[str, str]:
    data = {
        "id_number": make_citizen_id("420102", dt.date(1978, 5, 20), 123),
        "name": "赵磊",
        "phone": "13812340000",
        "ethnicity": "汉族",
        "residence_type": "registered",
        "residence_division": BAOCHENG,
        "grid": "",
        "residence_address": "保成路1号",
        "registered_division": "",
        "registered_address": "",
        "household_number": "",
        "relationship": "",
    }
    data.update(overrides)
    return data


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_create_person(clerk_client):
    response = clerk_client.post(reverse("workbench:person-create"), person_data())
    person = Person.objects.get(name="赵磊")
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:person", args=[person.pk])
    assert person.area_code == BAOCHENG and person.sex == "M"


def test_bad_check_digit_is_shown_next_to_the_field(clerk_client):
    good = make_citizen_id("420102", dt.date(1978, 5, 20), 123)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = clerk_client.post(reverse("workbench:person-create"), person_data(id_number=bad))
    assert field_errors(response, "id_number") == ["身份证号码校验位错误，请核对号码。"]
    assert 'id="id_id_number_errors"' in response.content.decode()
    assert not Person.objects.exists() and not AuditEntry.objects.exists()


def test_malformed_phone(clerk_client):
    response = clerk_client.post(reverse("workbench:person-create"), person_data(phone="1381234"))
    assert field_errors(response, "phone") == ["手机号码应为以1开头的11位数字。"]
    assert not Person.objects.exists()


def test_unknown_division(clerk_client):
    response = clerk_client.post(
        reverse("workbench:person-create"), person_data(residence_division="420102999999")
    )
    assert field_errors(response, "residence_division") == ["行政区划代码“420102999999”不存在。"]
    assert not Person.objects.exists()


def test_several_errors_at_once(clerk_client):
    response = clerk_client.post(
        reverse("workbench:person-create"),
        person_data(id_number="12345", phone="x", name="", registered_division="999999"),
    )
    errors = response.context["form"].errors
    assert {"id_number", "phone", "name", "registered_division"} <= set(errors)
    assert errors["name"] == ["请填写姓名（不超过50个字）。"]


def test_person_outside_my_area_is_refused_in_the_form(clerk_client):
    response = clerk_client.post(
        reverse("workbench:person-create"), person_data(residence_division=WANNIAN)
    )
    assert "不在您的管辖范围内" in str(response.context["form"].non_field_errors())
    assert not Person.unscoped.exists()


def test_duplicate_id_number(clerk_client, residents):
    from bianmin.core import crypto

    number = crypto.decrypt(residents["li"].id_cipher)
    response = clerk_client.post(reverse("workbench:person-create"), person_data(id_number=number))
    assert field_errors(response, "id_number") == ["该身份证号码已登记在人口库中，请勿重复登记。"]


def test_create_person_into_a_household(clerk_client, system_actor):
    from bianmin.registry.services.people import create_household

    create_household(actor=system_actor, number="H0001", division=BAOCHENG)
    missing = clerk_client.post(
        reverse("workbench:person-create"), person_data(household_number="H0001")
    )
    assert field_errors(missing, "relationship") == ["填写户号时请选择与户主关系。"]
    clerk_client.post(
        reverse("workbench:person-create"),
        person_data(household_number="H0001", relationship="02"),
    )
    assert Person.objects.get(name="赵磊").household.number == "H0001"


def test_household_create_and_add_member(clerk_client, residents):
    response = clerk_client.post(
        reverse("workbench:household-create"),
        {
            "number": "4201020088",
            "household_type": "family",
            "division": TAINING,
            "grid": "",
            "address": "泰宁街5号",
        },
    )
    household = Household.objects.get(number="4201020088")
    assert response["Location"] == reverse("workbench:household", args=[household.pk])
    from bianmin.core import crypto

    add = reverse("workbench:household-add-member", args=[household.pk])
    number = crypto.decrypt(residents["zhang"].id_cipher)
    assert clerk_client.post(add, {"id_number": number, "relationship": "02"}).status_code == 302
    residents["zhang"].refresh_from_db()
    assert residents["zhang"].household_id == household.pk
    # A second head is refused, in Chinese, and nothing moves.
    second = crypto.decrypt(residents["li"].id_cipher)
    body = clerk_client.post(add, {"id_number": second, "relationship": "02"}).content.decode()
    assert "该户已有户主" in body
    residents["li"].refresh_from_db()
    assert residents["li"].household_id is None
    # Someone outside my area cannot be pulled in.
    outsider = crypto.decrypt(residents["outsider"].id_cipher)
    body = clerk_client.post(add, {"id_number": outsider, "relationship": "99"}).content.decode()
    assert "不在您的管辖范围内" in body


def test_household_errors(clerk_client):
    response = clerk_client.post(
        reverse("workbench:household-create"),
        {"number": "A-1", "household_type": "family", "division": "420102002000", "grid": ""},
    )
    assert field_errors(response, "number") == ["户号应为不超过20位的字母或数字。"]
    response = clerk_client.post(
        reverse("workbench:household-create"),
        {"number": "A1", "household_type": "family", "division": "420102002000", "grid": ""},
    )
    assert field_errors(response, "division") == ["户籍地应选择到村（社区）一级。"]
    assert not Household.objects.exists()


def test_organisation_create_and_errors(clerk_client, residents):
    from bianmin.core import crypto

    code = make_credit_code("92", "420102", "MA4KXY12B")
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    data = {
        "credit_code": bad,
        "name": "保成热干面馆",
        "division": BAOCHENG,
        "address": "",
        "phone": "",
        "legal_rep_id_number": "",
        "established": "",
    }
    response = clerk_client.post(reverse("workbench:organisation-create"), data)
    assert field_errors(response, "credit_code") == ["统一社会信用代码校验位错误，请核对代码。"]
    data.update(credit_code=code, legal_rep_id_number=crypto.decrypt(residents["li"].id_cipher))
    response = clerk_client.post(reverse("workbench:organisation-create"), data)
    org = Organisation.objects.get()
    assert response["Location"] == reverse("workbench:organisation", args=[org.pk])
    assert org.legal_rep == residents["li"] and org.org_category == "个体工商户"
    detail = clerk_client.get(response["Location"]).content.decode()
    assert residents["li"].id_masked in detail
    assert crypto.decrypt(residents["li"].id_cipher) not in detail


def test_factories_are_in_scope(clerk):
    # Guard for the fixtures above: the clerk's street contains 保成 and 泰宁.
    assert clerk.staff.org_unit.division.prefix == "420102002"
    assert factories.grid(BAOCHENG).community_id == BAOCHENG
