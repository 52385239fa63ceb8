"""The shared-data access log exports to Excel: the log as filtered, within the user's area,
supervisors and administrators only, the data subject's ID number masked, audited."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied

from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction, AuditEntry
from bianmin.sharing import services
from tests import factories
from tests.sharing.conftest import grant
from tests.webclient import signed_in as client_for
from tests.webclient import xlsx_rows as sheet

pytestmark = pytest.mark.django_db
EXPORT = "/sharing/log/export/"


@pytest.fixture
def accesses(mz_officer, resident, jianghan_resident):
    """An allowed read of 王秀英 (江岸区), one of 李建国 (江汉区), and a refused one of 王秀英."""
    grant("id_card", "MZ")
    actor = Actor(mz_officer.pk, "mz_officer", mz_officer.staff.org_unit_id)
    for person in (resident, jianghan_resident):
        services.fetch(actor=actor, item_code="id_card", person=person, purpose="低保审核")
    with pytest.raises(PermissionDenied):
        services.fetch(actor=actor, item_code="death", person=resident, purpose="低保审核")


def test_export_is_the_filtered_log_masked_and_audited(supervisor, resident, accesses):
    rows = sheet(client_for(supervisor).get(EXPORT, {"outcome": "allowed"}))
    note, header, *data = rows
    assert "数据调用记录" in note[0] and "city_supervisor" in note[0]
    assert header[:8] == (
        "时间",
        "操作人",
        "所在单位",
        "使用部门",
        "数据项代码",
        "数据项",
        "数据主体",
        "证件号码",
    )
    assert sorted(r[6] for r in data) == ["李建国", "王秀英"]
    wang = next(r for r in data if r[6] == "王秀英")
    assert wang[4] == "id_card" and wang[7] == resident.id_masked and wang[10] == "低保审核"
    assert wang[11] == "已提供"
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    assert resident.id_number_for_test not in text
    assert not re.search(r"\d{17}[\dX]", text)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_id == supervisor.pk and entry.object_type == "data_access"
    assert entry.changes == {"count": 2, "filters": {"outcome": "allowed"}}


def test_refusals_filter(supervisor, accesses):
    rows = sheet(client_for(supervisor).get(EXPORT, {"outcome": "denied"}))
    assert [(r[5] != "", r[11]) for r in rows[2:]] == [(True, "已拒绝")]


def test_supervisor_of_another_district_gets_only_their_area(accesses):
    jianghan = factories.staff("jh_supervisor", role="supervisor", division="420103")
    rows = sheet(client_for(jianghan).get(EXPORT))
    assert [r[6] for r in rows[2:]] == ["李建国"]


def test_only_supervisors_and_administrators(mz_officer, accesses):
    assert client_for(mz_officer).get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_log_page_links_to_the_export_with_its_filters(supervisor, accesses):
    page = client_for(supervisor).get("/sharing/log/", {"outcome": "denied"}).content.decode()
    assert f'href="{EXPORT}?outcome=denied' in page
