"""Every list exports to Excel: a valid xlsx, Chinese headers, masked numbers only, the same
rows as the filtered list (and the user's scope), one EXPORT audit entry per export."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bianmin.core import crypto
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.registry.services.organisations import create_organisation
from bianmin.registry.services.people import add_member, create_household
from tests.conftest import BAOCHENG, WANNIAN
from tests.webclient import xlsx_rows as sheet

pytestmark = pytest.mark.django_db
ID_IN_CLEAR = re.compile(r"\d{17}[\dX]")


def no_clear_numbers(rows) -> bool:
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    return not ID_IN_CLEAR.search(text) and not re.search(r"1[3-9]\d{9}", text)


def test_people_export_is_the_filtered_list_masked_and_audited(clerk, clerk_client, residents):
    rows = sheet(clerk_client.get(reverse("workbench:people-export"), {"q": "张"}))
    note, header, *data = rows
    assert "人口库人员名单" in note[0] and "dazhi_clerk" in note[0]
    assert header[:6] == ("姓名", "性别", "出生日期", "年龄", "身份证号", "手机号码")
    assert [r[0] for r in data] == ["张伟"]  # 张敏 of 江汉区 is outside the clerk's scope
    zhang = residents["zhang"]
    assert data[0][4] == zhang.id_masked and data[0][5] == "138****5678"
    assert "80岁以上高龄老人" in data[0][13]
    assert no_clear_numbers(rows)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_id == clerk.pk and entry.object_type == "person"
    assert entry.changes == {"count": 1, "filters": {"q": "张"}}


def test_people_export_whole_area(clerk_client, residents):
    rows = sheet(clerk_client.get(reverse("workbench:people-export")))
    assert sorted(r[0] for r in rows[2:]) == sorted(["张伟", "李秀英", "王芳"])
    assert all(crypto.decrypt(p.id_cipher) not in str(rows) for p in residents.values())


def test_households_export(clerk_client, residents, system_actor):
    household = create_household(
        actor=system_actor, number="4201020001", division=BAOCHENG, address="保成路1号"
    )
    add_member(
        actor=system_actor, household=household, person=residents["zhang"], relationship="02"
    )
    add_member(actor=system_actor, household=household, person=residents["li"], relationship="30")
    create_household(actor=system_actor, number="4201030001", division=WANNIAN)
    rows = sheet(clerk_client.get(reverse("workbench:households-export")))
    assert rows[1][:4] == ("户号", "户别", "户主", "人数")
    assert rows[2:] == [
        ("4201020001", "家庭户", "张伟", 2, "保成社区", None, "保成路1号", BAOCHENG)
    ]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="household").exists()


def test_organisations_export_masks_the_legal_representative(clerk_client, residents, system_actor):
    li = residents["li"]
    create_organisation(
        actor=system_actor,
        credit_code="91350100M000100Y43",
        name="保成便利店",
        division=BAOCHENG,
        legal_rep_id_number=crypto.decrypt(li.id_cipher),
    )
    rows = sheet(clerk_client.get(reverse("workbench:organisations-export"), {"q": "便利"}))
    assert rows[1][:2] == ("统一社会信用代码", "名称")
    assert rows[2][:6] == (
        "91350100M000100Y43",
        "保成便利店",
        "工商",
        "企业",
        "李秀英",
        li.id_masked,
    )
    assert no_clear_numbers(rows)


def test_audit_log_export_for_admins_only(clerk_client, admin_client, residents):
    clerk_client.get(reverse("workbench:person", args=[residents["zhang"].pk]))
    assert clerk_client.get(reverse("workbench:audit-export")).status_code == 403
    rows = sheet(admin_client.get(reverse("workbench:audit-export"), {"action": "read"}))
    assert rows[1][:5] == ("序号", "时间", "操作人", "所在单位", "操作")
    assert [r[4] for r in rows[2:]] == ["查阅"]
    assert no_clear_numbers(rows)
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="audit").exists()


def test_export_query_count_is_bounded(clerk_client, residents, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        response = clerk_client.get(reverse("workbench:people-export"))
    assert len(sheet(response)) == 5
