"""Workbench home: who I am, counts in my area, and the 一号 look-up (POST only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bianmin.core import crypto
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.services.organisations import create_organisation
from tests import factories
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db


def full_id(person) -> str:
    return crypto.decrypt(person.id_cipher)


def test_home_shows_who_i_am_and_counts_in_my_area(clerk_client, residents, system_actor):
    create_organisation(
        actor=system_actor,
        credit_code="91350100M000100Y43",
        name="保成便利店",
        division=BAOCHENG,
    )
    response = clerk_client.get(reverse("workbench:home"))
    body = response.content.decode()
    assert "综合窗口人员" in body and "大智街道便民服务中心" in body
    assert "湖北省武汉市江岸区大智街道" in body
    # Three residents of 保成社区 are in the clerk's street; the one in 江汉区 is not counted.
    assert response.context["counts"] == {
        "people": 3,
        "households": 0,
        "organisations": 1,
        "grids": 1,
    }
    assert '<div class="value">3</div>' in body


def test_lookup_redirects_to_the_profile_without_the_number_in_the_url(clerk_client, residents):
    zhang = residents["zhang"]
    response = clerk_client.post(reverse("workbench:lookup"), {"id_number": full_id(zhang)})
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:person", args=[zhang.pk])
    assert full_id(zhang) not in response["Location"]
    read = AuditEntry.objects.filter(action=AuditAction.READ, object_id=str(zhang.pk)).first()
    assert read is not None and read.purpose == "一号查询"


def test_lookup_with_bad_check_digit_explains_in_chinese(clerk_client, residents):
    number = full_id(residents["zhang"])
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    body = clerk_client.post(reverse("workbench:lookup"), {"id_number": wrong}).content.decode()
    assert "身份证号码校验位错误" in body


def test_lookup_of_unknown_number(clerk_client, residents):
    number = factories.id_number(region="420103")
    body = clerk_client.post(reverse("workbench:lookup"), {"id_number": number}).content.decode()
    assert "人口库中没有该身份证号码的记录" in body


def test_lookup_outside_my_area_is_refused(clerk_client, residents):
    outsider = residents["outsider"]
    response = clerk_client.post(reverse("workbench:lookup"), {"id_number": full_id(outsider)})
    assert response.status_code == 403
    assert outsider.name not in response.content.decode()


def test_lookup_only_accepts_post(clerk_client):
    assert clerk_client.get(reverse("workbench:lookup")).status_code == 405
