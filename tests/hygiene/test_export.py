"""The staff list of public places exports to Excel: the filtered list within the user's area,
audited."""

from __future__ import annotations

import pytest
from django.test import Client

from bianmin.core.models import AuditAction, AuditEntry
from bianmin.hygiene import services
from tests import factories
from tests.conftest import DAZHI_STREET, WANNIAN
from tests.webclient import signed_in
from tests.webclient import xlsx_rows as sheet

pytestmark = pytest.mark.django_db
EXPORT = "/hygiene/export/"


@pytest.fixture
def salon(actor, hotel):
    return services.register_place(
        actor=actor,
        name="保成美发店",
        place_type="salon",
        area_code="420102002003",
        address="武汉市江岸区保成路8号",
        operator_name="江岸区保成美发店",
    )


@pytest.fixture
def inspector(db):
    return factories.staff("dazhi_doctor", role="doctor", division=DAZHI_STREET)


def test_export_is_the_filtered_list_and_audited(inspector, hotel, salon, organisation):
    rows = sheet(signed_in(inspector).get(EXPORT, {"place_type": "hotel"}))
    note, header, *data = rows
    assert "公共场所名单" in note[0] and "dazhi_doctor" in note[0]
    assert header[:6] == (
        "场所名称",
        "场所类别",
        "地址",
        "经营单位",
        "统一社会信用代码",
        "卫生许可证号",
    )
    assert data == [
        (
            "大智宾馆",
            hotel.get_place_type_display(),
            "武汉市江岸区大智路18号",
            organisation.name,
            organisation.credit_code,
            "鄂卫公证字〔2025〕第0102001号",
            None,
            None,
            "是",
            hotel.area_code,
        )
    ]
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_id == inspector.pk and entry.object_type == "public_place"
    assert entry.changes == {"count": 1, "filters": {"place_type": "hotel"}}


def test_unfiltered_export_has_every_place_of_the_area(inspector, hotel, salon):
    rows = sheet(signed_in(inspector).get(EXPORT))
    assert sorted(r[0] for r in rows[2:]) == ["保成美发店", "大智宾馆"]


def test_staff_of_another_area_get_none_of_these_places(hotel, salon):
    other = factories.staff("wannian_doctor", role="doctor", division=WANNIAN)
    rows = sheet(signed_in(other).get(EXPORT))
    assert rows[2:] == []
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).changes["count"] == 0


def test_anonymous_is_sent_to_sign_in(hotel):
    assert Client().get(EXPORT).status_code == 302


def test_list_links_to_the_export_with_its_filters(inspector, hotel):
    page = signed_in(inspector).get("/hygiene/", {"grade": "A"}).content.decode()
    assert f'href="{EXPORT}?grade=A' in page
