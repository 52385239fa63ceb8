"""The demo catalogue (事项实施清单): real items of the seeds' domains with their legal bases,
materials, steps and time limits, and the 多证联办 bundles built from them.

`load_demo_catalog` is idempotent: it creates what is missing and leaves existing items alone
(an administrator may have revised them since; their edits win).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from bianmin.catalog.demo import assistance, business, health_police, social
from bianmin.catalog.models import Bundle, ServiceItem
from bianmin.catalog.services import create_bundle, create_item
from bianmin.core.audit import Actor

ITEMS: dict[str, dict[str, Any]] = {
    **social.ITEMS,
    **assistance.ITEMS,
    **health_police.ITEMS,
    **business.ITEMS,
}

BUNDLES = [
    {
        "code": "LB-CANYIN",
        "name": "我要开餐馆",
        "description": "个体工商户设立登记与食品经营许可一表申请、并联办理、一次领证。",
        "item_codes": ["SCJG-001", "SCJG-002"],
    },
    {
        "code": "LB-LIFA",
        "name": "我要开理发店",
        "description": "个体工商户设立登记与公共场所卫生许可一表申请、并联办理。",
        "item_codes": ["SCJG-001", "WJ-004"],
    },
    {
        "code": "LB-CHUSHENG",
        "name": "新生儿出生一件事",
        "description": "出生医学证明、出生登记（入户）和城乡居民医保参保登记一次办。",
        "item_codes": ["WJ-002", "GA-003", "YB-001"],
    },
]

LOADER = Actor(name="catalog load-demo")


@dataclass
class LoadResult:
    items_created: int = 0
    items_kept: int = 0
    bundles_created: int = 0
    bundles_kept: int = 0


@transaction.atomic
def load_demo_catalog(
    *, actor: Actor = LOADER, log: Callable[[str], None] | None = None
) -> LoadResult:
    result = LoadResult()
    existing = set(ServiceItem.objects.values_list("code", flat=True))
    for code, spec in ITEMS.items():
        if code in existing:
            result.items_kept += 1
            continue
        create_item(actor=actor, code=code, note="演示数据", **spec)
        result.items_created += 1
    bundles = set(Bundle.objects.values_list("code", flat=True))
    for spec in BUNDLES:
        if spec["code"] in bundles:
            result.bundles_kept += 1
            continue
        create_bundle(actor=actor, **spec)
        result.bundles_created += 1
    if log is not None:
        log(
            f"事项清单 catalogue: 新建 {result.items_created} 个事项（已有 {result.items_kept}），"
            f"{result.bundles_created} 个多证联办（已有 {result.bundles_kept}）"
        )
    return result
