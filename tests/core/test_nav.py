"""Apps add navigation entries and demo loaders through core registries, not shared templates."""

from __future__ import annotations

import pytest
from django.test import Client

from bianmin.core import demo, nav
from bianmin.registry.models import Role


@pytest.fixture
def isolated_nav(monkeypatch):
    monkeypatch.setattr(nav, "_STAFF", [])
    monkeypatch.setattr(nav, "_PORTAL", [])
    return nav


class TestStaffNav:
    def test_role_sees_its_entries_and_admin_sees_all(self, isolated_nav):
        isolated_nav.register_staff(
            group="电子证照", label="证照查询", url_name="catalog:index", roles={Role.WINDOW_CLERK}
        )
        isolated_nav.register_staff(group="电子证照", label="全员", url_name="workbench:people")
        clerk = isolated_nav.staff_groups(Role.WINDOW_CLERK, admin=False)
        doctor = isolated_nav.staff_groups(Role.DOCTOR, admin=False)
        admin = isolated_nav.staff_groups("", admin=True)
        assert [e.label for _, es in clerk for e in es] == ["证照查询", "全员"]
        assert [e.label for _, es in doctor for e in es] == ["全员"]
        assert len(admin[0][1]) == 2

    def test_same_url_registered_twice_is_listed_once(self, isolated_nav):
        for _ in range(2):
            isolated_nav.register_staff(group="g", label="l", url_name="catalog:index")
        assert len(isolated_nav.staff_groups("", admin=True)[0][1]) == 1

    def test_unknown_url_name_is_not_rendered(self, isolated_nav):
        isolated_nav.register_staff(group="g", label="l", url_name="nowhere:at-all")
        assert isolated_nav.staff_groups("", admin=True)[0][1][0].url() == ""

    def test_sidebar_shows_registered_group(self, isolated_nav, baocheng_worker):
        isolated_nav.register_staff(group="测试分组", label="测试入口", url_name="catalog:index")
        client = Client()
        client.force_login(baocheng_worker)
        page = client.get("/").content.decode()
        assert "测试分组" in page and "测试入口" in page


class TestDemoRegistry:
    def test_loaders_run_in_order_each_in_a_transaction(self, monkeypatch, db):
        monkeypatch.setattr(demo, "_LOADERS", {})
        ran: list[str] = []
        demo.register("b", lambda *, seed, log: ran.append(f"b{seed}"), order=20)
        demo.register("a", lambda *, seed, log: ran.append(f"a{seed}"), order=10)
        demo.run_all(seed=7, log=lambda line: None)
        assert ran == ["a7", "b7"]
