"""Demo public places: hotels, salons, shops … taken from the demo 法人库 by trade, each graded
by a 量化评分 inspection earlier this year (A, B, C and a few 差), then this year's calendar."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.hygiene import services
from bianmin.hygiene.models import PublicPlace, SheetItem
from bianmin.registry.models import Organisation

LOADER = Actor(name="demo-loader", purpose="演示数据")
# (a word in the organisation's name, place type, what the place is called)
TRADES = (
    ("酒店管理", "hotel", "宾馆"),
    ("理发店", "salon", "美发店"),
    ("便利店", "mall", "超市"),
    ("文化传媒", "cinema", "影城"),
    ("物业服务", "pool", "游泳馆"),
    ("洗衣店", "bath", "浴池"),
    ("物流", "waiting", "客运站候车室"),
)
PER_TRADE = 6
# How well a place keeps its rules: the chance each item gets full marks.
HABITS = (0.97, 0.9, 0.75, 0.6, 0.45)


def _scores(rng: random.Random, items: list[SheetItem], habit: float) -> dict[str, str]:
    scores = {}
    for item in items:
        if rng.random() < habit:
            scores[str(item.pk)] = str(item.max_points)
        else:
            part = Decimal(rng.choice((0, 3, 5, 6, 8))) / 10
            scores[str(item.pk)] = str((item.max_points * part).quantize(Decimal("0.1")))
    return scores


def load_demo_hygiene(*, seed: int = 42, log: Callable[[str], None] | None = None) -> None:
    if PublicPlace.unscoped.exists():
        return
    rng = random.Random(f"{seed}:hygiene")
    today = timezone.localdate()
    made = inspected = 0
    for word, place_type, suffix in TRADES:
        items = list(SheetItem.objects.filter(sheet__place_type=place_type).order_by("seq"))
        organisations = list(
            Organisation.unscoped.filter(name__contains=word, division__isnull=False)
            .select_related("division")
            .order_by("credit_code")[:PER_TRADE]
        )
        for n, org in enumerate(organisations, start=1):
            brand = org.name.replace("武汉", "").split(word)[0][-6:] or org.name[:4]
            place = services.register_place(
                actor=LOADER,
                name=f"{brand}{suffix}",
                place_type=place_type,
                area_code=org.division.code,
                address=org.address or org.division.name,
                credit_code=org.credit_code,
                licence_no=f"鄂卫公证字〔{today.year - 1}〕第{org.division.code[:6]}{n:03d}号",
            )
            made += 1
            if rng.random() < 0.15:
                continue  # newly opened: not graded yet, its first grading is on the plan
            habit = rng.choice(HABITS)
            key_failed = [i.pk for i in items if i.key and rng.random() > habit + 0.25]
            on = today - dt.timedelta(days=rng.randint(20, 200))
            services.record_inspection(
                actor=LOADER,
                place=place.pk,
                inspected_on=on,
                inspectors="李华、张伟",
                scores=_scores(rng, items, habit),
                key_failed=key_failed,
                notes="现场检查，已向经营单位反馈检查意见。",
            )
            inspected += 1
    visits = services.generate_plan(actor=LOADER, year=today.year, on=today, only_missing=True)
    if log is not None:
        log(f"公共场所卫生 hygiene: {made} 个场所，{inspected} 次量化评分，计划检查 {visits} 次")
