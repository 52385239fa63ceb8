"""Demo star ratings for the demo districts' centres: ten months of the year so far with
self-assessments (most on time, a few missed), 明察暗访 visits, each month computed from the
demo's real cases and 好差评 and published; then the year's reward and warning notices."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.core.scope import Scope, acting_in
from bianmin.ratings import scheme, services
from bianmin.ratings.models import MonthlyRating
from bianmin.ratings.services.common import rated_centres, self_deadline
from bianmin.registry.demo.places import DEFAULT_DISTRICTS

LOADER = Actor(name="demo-loader", purpose="演示数据")
FINDINGS = (
    ("dedication", "工作时间窗口无人值守约20分钟，未挂暂离牌。"),
    ("conduct", "抽查办件档案，一件未按规定一次性告知所缺材料。"),
    ("service", "咨询台未安排人员引导，群众排队时间较长。"),
    ("integrity", "窗口人员接受群众赠送的锦旗以外物品，已当场退还并批评教育。"),
    ("conduct", "办事指南未更新到最新版本，收费依据未公示。"),
)


def _months(today: dt.date, count: int) -> list[str]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(f"{year:04d}-{month:02d}")
    return sorted(months)


def load_demo_ratings(*, seed: int = 42, log: Callable[[str], None] | None = None) -> None:
    if MonthlyRating.unscoped.exists():
        return
    rng = random.Random(f"{seed}:ratings")
    today = timezone.localdate()
    months = [m for m in _months(today, 10) if m.startswith(f"{today.year}-")] or _months(today, 6)
    for district in DEFAULT_DISTRICTS:
        with acting_in(Scope(area_prefix=district[:6])):
            centres = list(rated_centres())
            if not centres:
                continue
            # Each centre has a habit: most do well, some slip often (warning list material).
            habit = {c.code: rng.choice((0.95, 0.9, 0.8, 0.6)) for c in centres}
            for month in months:
                deadline = self_deadline(month)
                for centre in centres:
                    if rng.random() > 0.92:
                        continue  # missed the deadline: scored 0 on the self-assessed items
                    good = habit[centre.code]
                    scores = {
                        d: str(20 if rng.random() < good else rng.choice((16, 17, 18)))
                        for d in scheme.ORDER
                    }
                    services.submit_self_assessment(
                        actor=LOADER,
                        centre=centre.code,
                        month=month,
                        scores=scores,
                        notes={
                            "dedication": "按月总结：窗口人员按时到岗，执行首问负责、一次性告知。"
                        },
                        on=deadline,
                    )
                for centre in rng.sample(centres, k=max(1, len(centres) // 8)):
                    if rng.random() < habit[centre.code]:
                        continue
                    dimension, text = rng.choice(FINDINGS)
                    services.record_inspection(
                        actor=LOADER,
                        centre=centre.code,
                        inspected_on=dt.date.fromisoformat(f"{month}-{rng.randint(3, 25):02d}"),
                        mode=rng.choice(("open", "covert")),
                        supervisor="市效能办 王敏",
                        findings=text,
                        deductions={dimension: str(rng.choice((1, 2, 3)))},
                    )
                services.compute_month(actor=LOADER, month=month, on=today)
                services.publish_month(actor=LOADER, month=month)
    notices = []
    if MonthlyRating.unscoped.exists():  # a city without centres has nothing to list
        notices = services.issue_notices(actor=LOADER, year=int(months[-1][:4]), on=today)
    if log is not None:
        rows = MonthlyRating.unscoped.count()
        log(
            f"星级评定 ratings: {rows} 条月度星级（{len(months)} 个月），{len(notices)} 条奖励/警告"
        )
