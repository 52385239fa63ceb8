"""The 法人库 of the demo city: enterprises, 个体工商户, co-operatives, social organisations,
public institutions and collective economic organisations, each with a valid GB 32100 code."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from bianmin.core.identifiers import CREDIT_ALPHABET, make_credit_code
from bianmin.registry.demo.people import GridPlace, PersonPlan, age_on, mobile
from bianmin.registry.demo.places import words
from bianmin.registry.models import LifeStatus
from bianmin.registry.models.organisations import OrganisationStatus

_BRANDS = words(
    "鑫源 楚天 江城 汉信 长江 荣昌 恒达 晴川 黄鹤 东湖 华中 九州 金桥 大智 汉正 宏图 博雅 "
    "瑞丰 中联 百联 天成 锦程 德润 兴业 汇通 明远 新纪元 佳禾 万邦 启航 卓越 同心 盛世"
)
_TRADES = words(
    "商贸 科技 信息技术 餐饮管理 物业服务 建筑工程 文化传媒 医药 物流 装饰工程 教育咨询 "
    "电子商务 人力资源服务 家政服务 广告 环保科技 汽车服务 酒店管理"
)
_SHOPS = words(
    "便利店 热干面馆 理发店 五金店 水果店 早点铺 副食店 药店 洗衣店 修车铺 小吃店 服装店"
)
_SOCIAL = words("养老服务中心 社会工作服务中心 幼儿园 培训学校 居家养老服务站 青少年活动中心")
_PUBLIC = ("小学", "初级中学", "文化站", "社区服务中心", "幼儿园")
_COOPS = words("蔬菜 水产 花卉苗木 农机 家禽 莲藕")

# (credit-code prefix, weight): 企业, 个体工商户, 合作社, 民办非企业, 事业单位, 村级集体经济组织.
_KINDS = (("91", 55), ("92", 30), ("93", 2), ("52", 6), ("12", 5), ("N2", 2))
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass
class OrganisationPlan:
    credit_code: str
    name: str
    division: str  # community code
    address: str
    phone: str
    established: dt.date
    status: str
    legal_rep: int | None  # index into the people plan


def organisation_code(digits8: str) -> str:
    """A GB 11714 organisation code (8 digits + check), the body of pre-2015 credit codes."""
    total = sum(int(d) * w for d, w in zip(digits8, _GB11714_WEIGHTS, strict=True))
    check = 11 - total % 11
    return digits8 + {10: "X", 11: "0"}.get(check, str(check))


def plan_organisations(
    *,
    seed: int,
    count: int,
    people: list[PersonPlan],
    places: list[GridPlace],
    district_names: dict[str, str],
    reference: dt.date,
) -> list[OrganisationPlan]:
    rng = random.Random(f"{seed}:organisations")
    adults = [
        i
        for i, p in enumerate(people)
        if p.life_status == LifeStatus.ALIVE and 25 <= age_on(p.birth_date, reference) <= 70
    ]
    kinds, weights = zip(*_KINDS, strict=True)
    codes: set[str] = set()
    names: set[str] = set()
    plans = []
    while len(plans) < count:
        prefix = rng.choices(kinds, weights)[0]
        place = rng.choice(places)
        district = district_names[place.district_code]
        established = reference - dt.timedelta(days=rng.randint(200, 365 * 28))
        name = _name(rng, prefix, district, place)
        if name in names:
            # Names are few for some kinds (one 股份经济合作社 per community): a big demo
            # fills up with more companies, whose two-word brands don't run out.
            prefix = "91"
            name = f"武汉{rng.choice(_BRANDS)}{rng.choice(_BRANDS)}{rng.choice(_TRADES)}有限公司"
            if name in names:
                continue
        body = _body(rng, prefix, established)
        # Enterprises and 个体户 register with the district 市场监管局, the others with theirs.
        code = make_credit_code(prefix, place.district_code, body)
        if code in codes:
            continue
        names.add(name)
        codes.add(code)
        status = rng.choices(
            (OrganisationStatus.ACTIVE, OrganisationStatus.CANCELLED, OrganisationStatus.REVOKED),
            (92, 5, 3),
        )[0]
        plans.append(
            OrganisationPlan(
                credit_code=code,
                name=name,
                division=place.community_code,
                address=f"武汉市{district}{place.road}{rng.randint(1, 300)}号"
                + (f"{rng.randint(1, 30)}层" if prefix == "91" else ""),
                phone=f"027-8{rng.randrange(1_000_000, 9_999_999)}"
                if prefix != "92"
                else mobile(rng),
                established=established,
                status=status,
                legal_rep=rng.choice(adults) if adults else None,
            )
        )
    return plans


def _body(rng: random.Random, prefix: str, established: dt.date) -> str:
    if established < dt.date(2015, 10, 1) and prefix in {"91", "52", "12"}:
        return organisation_code(f"{rng.randrange(10**8):08d}")
    # After the reform new bodies start with MA (Wuhan's run as MA4K…).
    tail = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(5))
    return f"MA4K{tail}"


def _name(rng: random.Random, prefix: str, district: str, place: GridPlace) -> str:
    brand = rng.choice(_BRANDS)
    if prefix == "91":
        return f"武汉{brand}{rng.choice(_TRADES)}有限公司"
    if prefix == "92":
        return f"{district}{brand}{rng.choice(_SHOPS)}"
    if prefix == "93":
        return f"武汉市{district}{brand}{rng.choice(_COOPS)}专业合作社"
    if prefix == "52":
        return f"武汉市{district}{brand}{rng.choice(_SOCIAL)}"
    if prefix == "12":
        return f"武汉市{district}{place.road.rstrip('路街')}{rng.choice(_PUBLIC)}"
    return f"{place.community_name}股份经济合作社"
