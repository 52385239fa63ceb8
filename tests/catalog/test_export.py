"""The 事项实施清单 exports to Excel: the filtered management list, administrators only,
audited."""

from __future__ import annotations

import pytest

from bianmin.catalog.queries import get_item
from bianmin.core.models import AuditAction, AuditEntry
from tests import factories
from tests.conftest import DAZHI_STREET
from tests.webclient import signed_in
from tests.webclient import xlsx_rows as sheet

pytestmark = pytest.mark.django_db
EXPORT = "/catalog/manage/export/"


def test_export_is_the_filtered_list_and_audited(demo_catalog, city_admin):
    rows = sheet(signed_in(city_admin).get(EXPORT, {"q": "居住证"}))
    note, header, *data = rows
    assert "事项实施清单" in note[0] and "city_admin" in note[0]
    assert header[:6] == ("事项编码", "事项名称", "事项类型", "服务对象", "实施部门", "可受理层级")
    item = get_item("GA-001")
    assert [r[0] for r in data] == ["GA-001"]
    assert data[0][1] == item.name and data[0][4] == item.department.name
    assert data[0][6:8] == (item.statutory_limit_days, item.promised_limit_days)
    assert data[0][12:14] == (item.version, "现行")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_id == city_admin.pk and entry.object_type == "service_item"
    assert entry.changes == {"count": 1, "filters": {"q": "居住证"}}


def test_whole_list_when_unfiltered(demo_catalog, city_admin):
    rows = sheet(signed_in(city_admin).get(EXPORT))
    page = signed_in(city_admin).get("/catalog/manage/")
    assert len(rows) - 2 == page.context["page"].paginator.count


def test_non_admin_staff_get_403(demo_catalog):
    clerk = factories.staff("clerk", role="clerk", division=DAZHI_STREET)
    assert signed_in(clerk).get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_list_links_to_the_export_with_its_filter(demo_catalog, city_admin):
    page = signed_in(city_admin).get("/catalog/manage/", {"q": "居住证"})
    assert f'href="{EXPORT}?q=%E5%B1%85%E4%BD%8F%E8%AF%81"' in page.content.decode()
