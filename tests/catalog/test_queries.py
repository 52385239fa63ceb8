"""Reading the catalogue: where an item can be applied for, who is likely eligible, search."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.catalog.models import AcceptLevel, ServiceItem
from bianmin.catalog.queries import (
    bundles,
    eligible_items,
    get_bundle,
    items_for_org_unit,
    level_of,
    merged_materials,
    search_items,
)
from bianmin.catalog.services import create_item, revise_item
from bianmin.core.audit import Actor
from bianmin.registry.services.people import set_life_status, tag_person
from tests import factories
from tests.catalog.conftest import spec
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 20)
SYSTEM = Actor(name="pytest")


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


class TestLevels:
    @pytest.mark.parametrize(
        ("division", "kind", "department", "level"),
        [
            ("420100", "centre", None, AcceptLevel.CITY),  # 市民之家
            ("420100", "dept", "MZ", AcceptLevel.CITY),  # a city department's unit
            (JIANGAN, "centre", None, AcceptLevel.DISTRICT),
            (DAZHI_STREET, "centre", None, AcceptLevel.TOWN),
            (BAOCHENG, "centre", None, AcceptLevel.VILLAGE),
        ],
    )
    def test_level_of_org_unit_follows_its_division(self, division, kind, department, level):
        unit = factories.org_unit(division, kind=kind, department=department)
        assert level_of(unit) == level

    def test_items_acceptable_at_each_centre(self, demo_catalog):
        village = factories.org_unit(BAOCHENG)
        town = factories.org_unit(DAZHI_STREET)
        city = factories.org_unit("420100")
        at_village = codes(items_for_org_unit(village))
        # 低保 is taken in at the community by the agent; a food licence is not.
        assert "MZ-001" in at_village and "SCJG-002" not in at_village
        assert {"SCJG-001", "SCJG-002", "MZ-001"} <= codes(items_for_org_unit(town))
        at_city = codes(items_for_org_unit(city))
        assert "WJ-004" in at_city and "MZ-001" not in at_city
        for item in items_for_org_unit(village):
            assert "village" in item.accept_levels

    def test_only_current_versions_are_offered(self, demo_catalog):
        revise_item(
            actor=SYSTEM, code="MZ-004", changes={"accept_levels": ["town"]}, note="收归街道受理"
        )
        village = factories.org_unit(BAOCHENG)
        assert "MZ-004" not in codes(items_for_org_unit(village))
        assert "MZ-004" in codes(items_for_org_unit(factories.org_unit(DAZHI_STREET)))


class TestEligibility:
    def test_age_and_tags(self, demo_catalog):
        elder = factories.person(community=BAOCHENG, name="张奶奶", birth=dt.date(1940, 3, 2))
        adult = factories.person(community=BAOCHENG, name="李强", birth=dt.date(1990, 7, 1))
        child = factories.person(community=BAOCHENG, name="王小", birth=dt.date(2020, 1, 9))

        elder_items = codes(eligible_items(elder, today=TODAY))
        assert {"MZ-004", "MZ-005", "WJ-005", "MZ-001"} <= elder_items  # 86 years old
        adult_items = codes(eligible_items(adult, today=TODAY))
        assert not {"MZ-004", "MZ-005", "WJ-005"} & adult_items
        assert {"RS-001", "RS-004", "MZ-001"} <= adult_items
        # Tagged items need the tag: 退役军人优待证, 失业保险金, 两项补贴.
        assert not {"TYJR-001", "RS-002", "MZ-006"} & adult_items
        child_items = codes(eligible_items(child, today=TODAY))
        assert "RS-001" not in child_items  # from 16
        assert "YB-001" in child_items

        tag_person(actor=SYSTEM, person=adult, tag_code="veteran")
        tag_person(actor=SYSTEM, person=adult, tag_code="unemployed")
        now = codes(eligible_items(adult, today=TODAY))
        assert {"TYJR-001", "RS-002"} <= now and "MZ-006" not in now

    def test_organisation_only_items_are_not_suggested_to_people(self, admin_actor):
        create_item(actor=admin_actor, code="ORG-1", **spec(applicant_kind="organisation"))
        create_item(actor=admin_actor, code="BOTH-1", **spec(applicant_kind="both"))
        adult = factories.person(community=BAOCHENG, birth=dt.date(1990, 7, 1))
        assert codes(eligible_items(adult, today=TODAY)) == {"BOTH-1"}

    def test_derived_age_tags_count_as_tags(self, admin_actor):
        # An item for the tag 80岁以上高龄老人 (derived from the birth date, never attached).
        create_item(
            actor=admin_actor,
            code="AGE-80",
            **spec(applicant_kind="person", eligible_tags=["age-80"]),
        )
        old = factories.person(community=BAOCHENG, birth=dt.date(1940, 3, 2))
        young = factories.person(community=BAOCHENG, birth=dt.date(1950, 3, 2))
        assert codes(eligible_items(old, today=TODAY)) == {"AGE-80"}
        assert codes(eligible_items(young, today=TODAY)) == set()

    def test_nothing_is_suggested_for_a_deceased_person(self, demo_catalog):
        elder = factories.person(community=BAOCHENG, birth=dt.date(1940, 3, 2))
        elder = set_life_status(
            actor=SYSTEM, person=elder, status="deceased", date=dt.date(2025, 1, 2), source="公安"
        )
        assert not eligible_items(elder, today=TODAY).exists()


class TestSearch:
    def test_by_name_code_department_type_level_online(self, demo_catalog):
        assert codes(search_items(q="低保")) == set()  # the name says 最低生活保障
        assert "MZ-001" in codes(search_items(q="最低生活"))
        assert codes(search_items(q="scjg")) == {"SCJG-001", "SCJG-002"}
        assert codes(search_items(q="残联")) == {"CL-001"}
        assert codes(search_items(department="GA")) == {"GA-001", "GA-002", "GA-003"}
        licensing = codes(search_items(item_type="licensing"))
        assert licensing == {"GA-002", "SCJG-001", "SCJG-002", "WJ-004"}
        assert codes(search_items(level="city")) == {"RS-003", "YB-001", "WJ-004"}
        assert "WJ-002" in codes(search_items(online=False))
        assert "WJ-002" not in codes(search_items(online=True))
        assert all(i.is_current for i in search_items())
        assert search_items().count() == ServiceItem.objects.filter(is_current=True).count()


class TestBundles:
    def test_bundle_views_and_merged_materials(self, demo_catalog, django_assert_num_queries):
        with django_assert_num_queries(2):
            views = bundles()
        assert {v.bundle.code for v in views} == {"LB-CANYIN", "LB-LIFA", "LB-CHUSHENG"}
        restaurant = get_bundle("LB-CANYIN")
        # Registration promises 1 day, the food licence 5: side by side, 5 in all.
        assert restaurant.promised_limit_days == 5
        merged = merged_materials(restaurant.items)
        names = [m.code for m in merged]
        # The ID card both items ask for is handed in once.
        assert names.count("id-card") == 1
        assert {"premises", "layout"} <= set(names)
