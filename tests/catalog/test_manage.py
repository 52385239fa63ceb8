"""The administrators' editor: only role admin, saves through the services as new versions."""

from __future__ import annotations

import pytest
from django.test import Client

from bianmin.catalog.models import ServiceItem
from bianmin.catalog.queries import get_item
from bianmin.core.models import AuditEntry
from tests import factories
from tests.conftest import DAZHI_STREET
from tests.webclient import signed_in

pytestmark = pytest.mark.django_db
EDIT = "/catalog/manage/items/GA-001/"


@pytest.fixture
def admin(city_admin) -> Client:
    return signed_in(city_admin)


def management(prefix: str, total: int, initial: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(client: Client, path: str) -> dict[str, str | list[str]]:
    """What the browser would send back unchanged: the initial values of the rendered form."""
    response = client.get(path)
    assert response.status_code == 200
    data: dict[str, str | list[str]] = {}
    for name in ("form", "material_set", "step_set"):
        obj = response.context[name]
        forms = obj.forms if hasattr(obj, "forms") else [obj]
        if hasattr(obj, "management_form"):
            for f in obj.management_form:
                data[f.html_name] = str(f.value())
        for form in forms:
            for bound in form:
                if bound.field.disabled:
                    continue
                value = bound.value()
                choices = getattr(bound.field, "choices", None)
                if value is None and choices and not isinstance(value, list):
                    # A <select> with nothing chosen submits its first option.
                    value = next(iter(choices))[0]
                if value is None or value is False:
                    continue
                if value is True:
                    data[bound.html_name] = "on"
                elif isinstance(value, list):
                    data[bound.html_name] = [str(v) for v in value]
                else:
                    data[bound.html_name] = str(value)
    return data


class TestAccess:
    @pytest.mark.parametrize("path", ["/catalog/manage/", "/catalog/manage/new/", EDIT])
    def test_non_admin_staff_get_403(self, demo_catalog, path):
        clerk = factories.staff("clerk", role="clerk", division=DAZHI_STREET)
        r = signed_in(clerk).get(path)
        assert r.status_code == 403
        assert "只有系统管理员可以查看此页面。" in r.content.decode()

    def test_anonymous_is_sent_to_sign_in(self, demo_catalog):
        r = Client().get("/catalog/manage/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")

    def test_admin_sees_the_list(self, demo_catalog, admin):
        r = admin.get("/catalog/manage/?q=居住证")
        assert r.status_code == 200
        assert "居住证申领" in r.content.decode() and EDIT in r.content.decode()


class TestEdit:
    def test_saving_writes_a_new_version(self, demo_catalog, admin):
        data = form_data(admin, EDIT)
        data["promised_limit_days"] = "10"
        data["note"] = "承诺时限按实际调整"
        # Add a material in the first blank row and drop the photo row.
        rows = int(data["m-INITIAL_FORMS"])
        photo = next(i for i in range(rows) if data[f"m-{i}-code"] == "photo")
        data[f"m-{photo}-DELETE"] = "on"
        data.update(
            {
                f"m-{rows}-code": "social-card",
                f"m-{rows}-name": "社会保障卡",
                f"m-{rows}-form": "original",
                f"m-{rows}-copies": "1",
                f"m-{rows}-requirement": "optional",
            }
        )
        r = admin.post(EDIT, data)
        assert r.status_code == 302, r.context and r.context["form"].errors
        item = get_item("GA-001")
        assert (item.version, item.promised_limit_days) == (2, 10)
        assert item.change_note == "承诺时限按实际调整"
        codes = [m.code for m in item.materials.all()]
        assert "photo" not in codes and codes[-1] == "social-card"
        assert [s.name for s in item.steps.all()] == [
            s.name for s in get_item("GA-001", version=1).steps.all()
        ]
        assert AuditEntry.objects.filter(object_type="service_item", action="update").count() == 1
        follow = admin.get(r["Location"])
        assert "已保存“居住证申领”第 2 版。" in follow.content.decode()

    def test_service_errors_are_shown_in_chinese_and_nothing_is_written(self, demo_catalog, admin):
        data = form_data(admin, EDIT)
        data["promised_limit_days"] = "20"  # statutory is 15
        data["note"] = "试试"
        data["s-0-department"] = "TYJR"
        data["s-1-parallel_group"] = "3"  # leaves group 2 empty
        r = admin.post(EDIT, data)
        assert r.status_code == 200
        html = r.content.decode()
        assert "承诺办结时限（20 个工作日）不能超过法定办结时限（15 个工作日）。" in html
        assert "第 2 组没有办理环节：并联组须从 1 起连续编号。" in html
        assert ServiceItem.objects.filter(code="GA-001").count() == 1

    def test_unchanged_form_is_refused(self, demo_catalog, admin):
        data = form_data(admin, EDIT)
        data["note"] = "只是点了保存"
        html = admin.post(EDIT, data).content.decode()
        assert "没有任何修改，未生成新版本。" in html
        assert ServiceItem.objects.filter(code="GA-001").count() == 1

    def test_create_a_new_item(self, demo_catalog, admin):
        data = form_data(admin, "/catalog/manage/new/")
        data.update(
            {
                "code": "MZ-101",
                "name": "婚姻登记预约",
                "item_type": "convenience",
                "applicant_kind": "person",
                "department": "MZ",
                "accept_levels": ["district"],
                "legal_basis": "《婚姻登记条例》。",
                "statutory_limit_days": "0",
                "promised_limit_days": "0",
                "fee": "0",
                "max_visits": "1",
                "online": "on",
                "s-0-name": "网上预约",
                "s-0-kind": "accept",
                "s-0-department": "MZ",
                "s-0-parallel_group": "1",
                "s-0-limit_days": "0",
            }
        )
        r = admin.post("/catalog/manage/new/", data)
        assert r.status_code == 302, r.context["form"].errors
        item = get_item("MZ-101")
        assert item.version == 1 and item.steps.count() == 1
        assert admin.get("/catalog/items/MZ-101/").status_code == 200

    def test_unknown_item_is_404(self, demo_catalog, admin):
        assert admin.get("/catalog/manage/items/NOPE/").status_code == 404
