"""The demo catalogue loads through the services (so every item passes validation), covers the
seeds' domains, and loading it twice changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from bianmin.catalog.demo import BUNDLES, ITEMS, load_demo_catalog
from bianmin.catalog.models import Bundle, ItemType, ServiceItem
from bianmin.catalog.queries import bundles, step_groups, with_details
from bianmin.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_command_loads_at_least_twenty_valid_items_and_is_idempotent():
    out = StringIO()
    call_command("catalog", "load-demo", stdout=out)
    assert f"新建 {len(ITEMS)} 个事项" in out.getvalue()
    assert ServiceItem.objects.filter(is_current=True).count() == len(ITEMS) >= 20
    assert Bundle.objects.count() == len(BUNDLES) >= 2
    audit_before = AuditEntry.objects.count()

    # When loaded again, then nothing is written.
    again = StringIO()
    call_command("catalog", "load-demo", stdout=again)
    assert f"新建 0 个事项（已有 {len(ITEMS)}）" in again.getvalue()
    assert ServiceItem.objects.count() == len(ITEMS)
    assert AuditEntry.objects.count() == audit_before


def test_demo_covers_the_seeds_and_the_rules_it_is_meant_to_show():
    load_demo_catalog()
    items = list(with_details(ServiceItem.objects.filter(is_current=True)))
    departments = {i.department_id for i in items}
    assert {"RS", "MZ", "WJ", "GA", "SCJG", "CL", "YB", "TYJR"} <= departments
    assert {i.item_type for i in items} >= {
        ItemType.LICENSING,
        ItemType.CONFIRMATION,
        ItemType.BENEFIT,
        ItemType.PUBLIC_SERVICE,
        ItemType.CONVENIENCE,
    }
    by_code = {i.code: i for i in items}
    # 容缺受理 with non-essential materials marked.
    deficiency = [i for i in items if i.allows_deficiency]
    assert deficiency and all(any(not m.essential for m in i.materials.all()) for i in deficiency)
    # 并联: 残疾人证 has 残联 and 卫健 side by side.
    parallel = [g for g in step_groups(by_code["CL-001"]) if len(g) > 1]
    assert {s.department_id for s in parallel[0]} == {"CL", "WJ"}
    # Shared data and e-certificates stand in for paper.
    shared = {m.shared_source for i in items for m in i.materials.all()} - {""}
    assert {"id_card", "hukou", "marriage", "dibao", "social_insurance", "death"} <= shared
    # 零跑动 items can all be done online; 低保 is promised within 30 working days.
    assert all(i.online for i in items if i.max_visits == 0)
    assert by_code["MZ-001"].promised_limit_days <= 30
    assert all(b.items and len(b.items) == len(b.bundle.item_codes) for b in bundles())


def test_seed_loads_the_catalogue_too():
    out = StringIO()
    call_command("seed", people=0, stdout=out)
    assert "事项清单 catalogue: 新建" in out.getvalue()
    assert ServiceItem.objects.filter(is_current=True).count() == len(ITEMS)
