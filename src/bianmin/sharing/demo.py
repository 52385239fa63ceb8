"""Demo data for `bianmin seed`: grants between departments and residents' consents — made
before the demo cases (`arrange_sharing`, `arrange_consents`, called by `load_demo_cases`:
intake fetches shared materials before it decides, which fills the access log as it would
fill) — and requests in every other state."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from bianmin.registry.models import Department, Person, Staff
from bianmin.sharing.models import (
    AccessRequest,
    Consent,
    Grant,
    RequestStatus,
    SharedDataItem,
    SharedMaterial,
)
from bianmin.sharing.providers import provided_codes

# (requesting department, item, purpose): who needs whose data in the demo city's work.
_NEEDS = [
    ("MZ", "hukou", "最低生活保障、特困供养审核"),
    ("MZ", "id_card", "社会救助申请人身份核验"),
    ("MZ", "death", "救助对象死亡后停发待遇"),
    ("MZ", "disability", "残疾人两项补贴审核"),
    ("RS", "hukou", "社会保险参保登记"),
    ("RS", "id_card", "参保人身份核验"),
    ("RS", "death", "养老保险待遇领取资格认证"),
    ("RS", "dibao", "困难群体代缴城乡居民养老保险费"),
    ("CL", "hukou", "残疾人证办理户籍核验"),
    ("CL", "id_card", "残疾人证办理身份核验"),
    ("CL", "dibao", "重度残疾人护理补贴对象核定"),
    ("WJ", "hukou", "出生医学证明、计划生育服务"),
    ("WJ", "id_card", "居民健康档案建档核验"),
    ("WJ", "disability", "家庭医生签约重点人群识别"),
    ("WJ", "dibao", "困难群众医疗救助"),
    ("YB", "dibao", "医疗救助对象资助参保"),
    ("YB", "disability", "残疾人医保资助"),
    ("YB", "death", "医保待遇停止"),
    ("TYJR", "hukou", "退役军人优待证办理"),
    ("TYJR", "id_card", "退役军人优待证身份核验"),
    ("SCJG", "id_card", "经营者身份核验"),
    ("ZJ", "hukou", "公租房申请家庭成员核验"),
    ("ZJ", "dibao", "公租房租金减免"),
    ("ZW", "hukou", "一窗受理申请人信息核验"),
    ("ZW", "id_card", "一窗受理申请人身份核验"),
    ("ZW", "death", "一窗受理申请人状态核验"),
]


def _decider(department_id: str) -> Staff | None:
    return Staff.objects.filter(department_id=department_id).select_related("user").first()


def arrange_sharing(
    *,
    city: str,
    today: dt.date | None = None,
    seed: int = 0,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> int:
    """The grants the city's departments work under (`_NEEDS`, city-wide, from 55 days ago
    for a year unless told), as approved requests; a grant already in place is left alone.
    Returns how many were made. Run before the demo cases (`cases.demo.load_demo_cases`):
    intake fetches shared materials before it decides, so the cases' outcomes depend on
    these."""
    rng = random.Random(seed + 4)
    today = today or timezone.localdate()
    valid_from = valid_from or today - dt.timedelta(days=55)
    valid_until = valid_until or today + dt.timedelta(days=365)
    items = {i.code: i for i in SharedDataItem.objects.all()}
    departments = set(Department.objects.values_list("code", flat=True))
    grants = 0
    for dept, code, purpose in _NEEDS:
        item = items.get(code)
        if item is None or dept not in departments or item.owner_id == dept:
            continue
        if Grant.objects.filter(department_id=dept, item=item, revoked_at__isnull=True).exists():
            continue
        decider = _decider(item.owner_id)
        asked = timezone.now() - dt.timedelta(days=rng.randint(60, 120))
        req = AccessRequest.objects.create(
            department_id=dept,
            item=item,
            purpose=purpose,
            scope_prefix=city,
            requested_until=valid_until,
            status=RequestStatus.APPROVED,
            requested_at=asked,
            decided_by=decider.user if decider else None,
            decided_at=asked + dt.timedelta(days=rng.randint(1, 5)),
        )
        Grant.objects.create(
            request=req,
            department_id=dept,
            item=item,
            scope_prefix=city,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        grants += 1
    return grants


def arrange_consents(*, seed: int = 0) -> int:
    """Most residents who hold a record in a sensitive item (低保, 残疾) have consented to
    its sharing; some have not, so the demo shows a material asked for because of it."""
    from bianmin.registry.models import PersonTag

    rng = random.Random(seed + 5)
    holders = {"dibao": ("dibao", "tekun"), "disability": ("disabled",)}
    made = 0
    for code, tags in holders.items():
        if not SharedDataItem.objects.filter(code=code).exists():
            continue
        people = (
            PersonTag.objects.filter(tag_id__in=tags)
            .values_list("person_id", flat=True)
            .distinct()
            .order_by("person_id")
        )
        for person_id in people:
            if (
                rng.random() < 0.85
                and not Consent.unscoped.filter(person_id=person_id, item_id=code).exists()
            ):
                Consent.unscoped.create(
                    person_id=person_id,
                    item_id=code,
                    granted_at=timezone.now() - dt.timedelta(days=rng.randint(60, 90)),
                )
                made += 1
    return made


def load_demo(*, seed: int, log: Callable[[str], None]) -> None:
    person = Person.unscoped.order_by("id").first()
    if person is None:
        return
    city = person.area_code[:4]
    today = timezone.localdate()
    items = {i.code: i for i in SharedDataItem.objects.all()}
    departments = set(Department.objects.values_list("code", flat=True))
    # Normally in place already: the demo cases needed them (`load_demo_cases`).
    arrange_sharing(city=city, today=today, seed=seed)
    grants = Grant.objects.count()
    # One grant that has run out, one request refused, one waiting: the pages show each state.
    if "RS" in departments and "marriage" in items:
        old = AccessRequest.objects.create(
            department_id="RS",
            item=items["marriage"],
            purpose="遗属待遇申领婚姻关系核验（试点）",
            scope_prefix=city,
            requested_until=today - dt.timedelta(days=10),
            status=RequestStatus.APPROVED,
            requested_at=timezone.now() - dt.timedelta(days=200),
            decided_at=timezone.now() - dt.timedelta(days=198),
        )
        Grant.objects.create(
            request=old,
            department_id="RS",
            item=items["marriage"],
            scope_prefix=city,
            valid_from=today - dt.timedelta(days=198),
            valid_until=today - dt.timedelta(days=10),
        )
    if "SCJG" in departments and "dibao" in items:
        AccessRequest.objects.create(
            department_id="SCJG",
            item=items["dibao"],
            purpose="个体工商户减免登记费",
            scope_prefix=city,
            requested_until=today + dt.timedelta(days=180),
            status=RequestStatus.REFUSED,
            reason="用途不属于低保信息共享范围，请申请人自行提供证明。",
            decided_at=timezone.now() - dt.timedelta(days=20),
        )
    if "ZJ" in departments and "social_insurance" in items:
        AccessRequest.objects.create(
            department_id="ZJ",
            item=items["social_insurance"],
            purpose="公积金贷款申请人参保核验",
            scope_prefix=city,
            requested_until=today + dt.timedelta(days=365),
        )
    # Normally given already, with the grants, before the demo cases (`load_demo_cases`).
    arrange_consents(seed=seed)
    consents = Consent.unscoped.count()
    satisfied = SharedMaterial.unscoped.filter(found=True).count()
    log(
        f"数据共享 sharing: {grants} 项授权, {consents} 份本人授权, "
        f"{satisfied} 份材料经共享获取 (providers: {', '.join(sorted(provided_codes()))})"
    )
