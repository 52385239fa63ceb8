"""The person profile: every view audited, masked ID with an audited reveal that needs a
purpose, department-restricted tags hidden, household shown, actions, and 403 outside scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bianmin.core import crypto
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.models import LifeStatus, Person, PersonTag
from bianmin.registry.services.people import add_member, create_household, tag_person
from tests import factories
from tests.conftest import BAOCHENG
from tests.workbench.conftest import signed_in

pytestmark = pytest.mark.django_db


def profile(client, person):
    return client.get(reverse("workbench:person", args=[person.pk]))


def entries(person, action):
    return AuditEntry.objects.filter(object_type="person", object_id=str(person.pk), action=action)


def test_viewing_a_profile_is_audited(clerk, clerk_client, residents):
    zhang = residents["zhang"]
    response = profile(clerk_client, zhang)
    assert response.status_code == 200
    read = entries(zhang, AuditAction.READ).get()
    assert read.actor_id == clerk.pk and read.org_unit_code == clerk.staff.org_unit_id
    assert response["Cache-Control"].startswith("max-age=0")  # never cached by the browser


def test_profile_shows_masked_id_never_the_full_number(clerk_client, residents):
    zhang = residents["zhang"]
    body = profile(clerk_client, zhang).content.decode()
    assert zhang.id_masked in body and crypto.decrypt(zhang.id_cipher) not in body
    assert "80岁以上高龄老人" in body  # derived from the birth date (1940)
    assert "查看完整证件号" in body


def test_restricted_tags_only_for_their_department(clerk_client, residents, system_actor):
    zhang = residents["zhang"]
    tag_person(actor=system_actor, person=zhang, tag_code="hypertension")
    tag_person(actor=system_actor, person=zhang, tag_code="dibao")
    body = profile(clerk_client, zhang).content.decode()
    assert "低保对象" in body and "高血压患者" not in body
    doctor = factories.staff("dazhi_doctor", role="doctor", division=BAOCHENG, department="WJ")
    assert "高血压患者" in profile(signed_in(doctor), zhang).content.decode()


def test_household_members_and_relationships(clerk_client, residents, system_actor):
    household = create_household(actor=system_actor, number="4201020001", division=BAOCHENG)
    add_member(
        actor=system_actor, household=household, person=residents["zhang"], relationship="02"
    )
    add_member(actor=system_actor, household=household, person=residents["li"], relationship="30")
    body = profile(clerk_client, residents["li"]).content.decode()
    assert "4201020001" in body and "张伟" in body and "户主" in body and "女" in body


def test_reveal_requires_a_purpose(clerk_client, residents):
    zhang = residents["zhang"]
    url = reverse("workbench:person-reveal", args=[zhang.pk])
    body = clerk_client.post(url, {"purpose": ""}).content.decode()
    assert "查看完整证件号码须填写事由" in body
    assert crypto.decrypt(zhang.id_cipher) not in body
    assert not entries(zhang, AuditAction.REVEAL).exists()


def test_reveal_with_purpose_shows_the_number_once_and_is_audited(clerk_client, residents):
    zhang = residents["zhang"]
    url = reverse("workbench:person-reveal", args=[zhang.pk])
    response = clerk_client.post(url, {"purpose": "办理高龄津贴，核对身份"})
    assert crypto.decrypt(zhang.id_cipher) in response.content.decode()
    assert entries(zhang, AuditAction.REVEAL).get().purpose == "办理高龄津贴，核对身份"
    # The next plain view is masked again.
    assert crypto.decrypt(zhang.id_cipher) not in profile(clerk_client, zhang).content.decode()


def test_reveal_through_htmx_answers_with_the_fragment(clerk_client, residents):
    zhang = residents["zhang"]
    response = clerk_client.post(
        reverse("workbench:person-reveal", args=[zhang.pk]),
        {"purpose": "核对身份"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="id-block"') and "<html" not in body
    assert crypto.decrypt(zhang.id_cipher) in body


def test_out_of_scope_profile_is_403_without_any_data(clerk_client, residents):
    outsider = residents["outsider"]
    response = profile(clerk_client, outsider)
    body = response.content.decode()
    assert response.status_code == 403
    assert "不在您的管辖范围内" in body
    assert outsider.name not in body and outsider.id_masked not in body
    assert outsider.phone not in body and outsider.id_last4 not in body
    assert not entries(outsider, AuditAction.READ).exists()
    reveal = clerk_client.post(
        reverse("workbench:person-reveal", args=[outsider.pk]), {"purpose": "好奇"}
    )
    assert reveal.status_code == 403
    assert not entries(outsider, AuditAction.REVEAL).exists()


def test_unknown_person_is_404(clerk_client, db):
    assert clerk_client.get(reverse("workbench:person", args=[999999])).status_code == 404


def test_record_a_death(clerk_client, residents):
    zhang = residents["zhang"]
    url = reverse("workbench:person-status", args=[zhang.pk])
    response = clerk_client.post(
        url, {"status": "deceased", "date": "2025-03-01", "source": "公安户籍注销通知"}
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.life_status == LifeStatus.DECEASED and zhang.status_date == dt.date(2025, 3, 1)


def test_status_errors_are_shown_and_nothing_changes(clerk_client, residents):
    zhang = residents["zhang"]
    url = reverse("workbench:person-status", args=[zhang.pk])
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    body = clerk_client.post(
        url, {"status": "moved_out", "date": future, "source": "x"}
    ).content.decode()
    assert "日期不能晚于今天" in body
    assert Person.objects.get(pk=zhang.pk).life_status == LifeStatus.ALIVE


def test_add_and_remove_a_tag(clerk_client, residents):
    li = residents["li"]
    add = reverse("workbench:person-tag-add", args=[li.pk])
    response = clerk_client.post(add, {"tag": "dibao", "source": "区民政局认定"})
    assert response.status_code == 302
    assert PersonTag.objects.filter(person=li, tag_id="dibao").exists()
    remove = reverse("workbench:person-tag-remove", args=[li.pk, "dibao"])
    assert clerk_client.post(remove).status_code == 302
    assert not PersonTag.objects.filter(person=li, tag_id="dibao").exists()


def test_cannot_add_a_derived_or_hidden_tag(clerk_client, residents):
    li = residents["li"]
    add = reverse("workbench:person-tag-add", args=[li.pk])
    for code in ("age-60", "hypertension"):
        body = clerk_client.post(add, {"tag": code}).content.decode()
        assert "选择一个有效的选项" in body
    assert not PersonTag.objects.filter(person=li).exists()


def test_edit_contact_and_residence(clerk_client, residents):
    li = residents["li"]
    url = reverse("workbench:person-edit", args=[li.pk])
    form = clerk_client.get(url).context["form"]
    data = {k: v or "" for k, v in form.initial.items()}
    data.update(phone="13511112222", residence_address="保成路8号")
    assert clerk_client.post(url, data).status_code == 302
    li.refresh_from_db()
    assert li.phone == "13511112222" and li.residence_address == "保成路8号"
    change = entries(li, AuditAction.UPDATE).get()
    assert change.changes["phone"] == ["139****1111", "135****2222"]


def test_edit_rejects_a_malformed_phone(clerk_client, residents):
    li = residents["li"]
    url = reverse("workbench:person-edit", args=[li.pk])
    data = {k: v or "" for k, v in clerk_client.get(url).context["form"].initial.items()}
    data["phone"] = "1391111"
    body = clerk_client.post(url, data).content.decode()
    assert "手机号码应为以1开头的11位数字" in body
    li.refresh_from_db()
    assert li.phone == "13900001111"
