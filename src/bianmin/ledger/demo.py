"""Demo data for `bianmin seed`: four templates people know from paper, and reports of the
demo communities and street in every state (draft, submitted, returned, approved)."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.ledger import periods
from bianmin.ledger.models import ReportTemplate
from bianmin.ledger.services import (
    approve,
    fill_cells,
    open_report,
    return_report,
    save_template,
    submit,
    update_signatures,
)
from bianmin.ledger.tables import build_table
from bianmin.registry.access import actor_for
from bianmin.registry.models import Division

DAZHI, BAOCHENG, TAINING, WANNIAN = "420102002000", "420102002003", "420102002004", "420103001002"


def _ind(key: str, label: str, code: str) -> dict:
    return {"key": key, "label": label, "source": "indicator", "indicator": code}


def _int(key: str, label: str, unit: str, *, high: int = 10000, required: bool = True) -> dict:
    return {"key": key, "label": label, "source": "manual", "type": "int", "unit": unit,
            "min": 0, "max": high, "required": required}  # fmt: skip


TEMPLATES = [
    {
        "code": "community-basic-monthly",
        "name": "社区基本情况月报表",
        "frequency": "monthly",
        "row_kind": "units",
        "columns": [
            _ind("population", "实有人口", "registry.population"),
            _ind("households", "户数", "registry.households"),
            _ind("elderly", "60岁以上老年人", "registry.elderly_60"),
            _ind("floating", "流动人口", "registry.floating_population"),
            _int("visits", "入户走访", "户次"),
            _int("disputes", "矛盾纠纷排查化解", "件", high=500),
            {"key": "note", "label": "备注", "source": "manual", "type": "text"},
        ],
        "headings": [
            [
                {"label": "人口情况（系统自动提取）", "span": 4},
                {"label": "网格工作情况（手工填报）", "span": 3},
            ]
        ],
        "notes": (
            "人口数据取自人口库月末数；入户走访、矛盾纠纷由各网格员如实填报，每月5日前上报街道。"
        ),
    },
    {
        "code": "key-population-ledger",
        "name": "重点人群台帐",
        "frequency": "monthly",
        "row_kind": "categories",
        "categories": [
            {"key": "elderly", "label": "60岁以上老年人", "indicator": "registry.elderly_60"},
            {"key": "oldest", "label": "80岁以上高龄老人", "indicator": "registry.elderly_80"},
            {"key": "disabled", "label": "残疾人", "indicator": "registry.disabled"},
            {"key": "dibao", "label": "低保对象", "indicator": "registry.dibao"},
            {"key": "tekun", "label": "特困供养人员", "indicator": "registry.tekun"},
            {"key": "children", "label": "0-6岁儿童", "indicator": "registry.children_0_6"},
        ],
        "columns": [
            {"key": "people", "label": "人数", "source": "row", "unit": "人"},
            _int("visited", "本月走访", "人次"),
            {
                "key": "support",
                "label": "帮扶措施落实",
                "source": "manual",
                "type": "choice",
                "choices": ["已落实", "部分落实", "未落实"],
                "required": True,
            },
            {"key": "note", "label": "备注", "source": "manual", "type": "text"},
        ],
        "headings": [],
        "notes": "人数取自人口库（月末）；走访人次与帮扶措施由社区填报。",
    },
    {
        "code": "centre-cases-monthly",
        "name": "便民服务中心办件统计月报",
        "frequency": "monthly",
        "row_kind": "units",
        "columns": [
            _ind("submitted", "申请量", "cases.submitted"),
            _ind("received", "受理量", "cases.received"),
            _ind("closed", "办结量", "cases.closed"),
            _ind("on_time", "按时办结率", "cases.on_time_rate"),
            _ind("one_visit", "最多跑一次办结率", "cases.one_visit_rate"),
            _ind("agent", "代办件数", "cases.agent_cases"),
            _int("consults", "咨询服务", "人次", high=100000),
        ],
        "headings": [
            [
                {"label": "办件量", "span": 3},
                {"label": "办件质量", "span": 2},
                {"label": "代办与咨询", "span": 2},
            ]
        ],
        "notes": "办件数据由系统按受理、办结日期自动统计；咨询服务人次据窗口登记填报。",
    },
    {
        "code": "ratings-quarterly",
        "name": "好差评季报",
        "frequency": "quarterly",
        "row_kind": "periods",
        "columns": [
            _ind("ratings", "评价数", "evaluation.ratings"),
            _ind("bad", "差评数", "evaluation.bad_ratings"),
            _ind("satisfaction", "满意率", "evaluation.satisfaction_rate"),
            _ind("complaints", "投诉件数", "evaluation.complaints"),
            _ind("rectified", "差评整改按时率", "evaluation.rectification_on_time_rate"),
            {"key": "measures", "label": "整改措施", "source": "manual", "type": "text"},
        ],
        "headings": [],
        "notes": "按评价日期计入月份；季度合计按分子分母合计后计算比率。",
    },
]


def _user(username: str):
    return (
        get_user_model()
        .objects.filter(username=username)
        .select_related("staff__org_unit__division")
        .first()
    )


def _fill(report, actor: Actor, rng: random.Random, *, leave_empty: int = 0) -> None:
    table = build_table(report)
    values = {}
    for row, column in table.missing[leave_empty:]:
        if column.get("type") == "choice":
            values[(row.key, column["key"])] = rng.choice(column["choices"][:2])
        else:
            values[(row.key, column["key"])] = str(rng.randint(3, 60))
    fill_cells(actor=actor, report=report, values=values)
    update_signatures(
        actor=actor,
        report=report,
        principal="王建国",
        preparer=actor.name,
        contact_phone="027-82801234",
    )


def load_demo(*, seed: int, log: Callable[[str], None]) -> None:
    system = Actor(name="demo")
    templates = {}
    for spec in TEMPLATES:
        existing = ReportTemplate.objects.filter(code=spec["code"]).first()
        templates[spec["code"]] = existing or save_template(actor=system, **spec)
    rng = random.Random(seed)
    month = periods.last_closed("monthly").key
    quarter = periods.last_closed("quarterly").key
    divisions = {
        d.code: d for d in Division.objects.filter(code__in=[DAZHI, BAOCHENG, TAINING, WANNIAN])
    }
    if len(divisions) < 4:
        log("电子台帐：演示社区不全，只建立了报表模板。")
        return
    street_user, district_user = _user("ck_dazhi"), _user("ck_jiangan")
    community_user = _user("wg_baocheng")
    filler = actor_for(community_user) if community_user else system
    street = actor_for(street_user) if street_user else system
    district = actor_for(district_user) if district_user else system
    basic = templates["community-basic-monthly"]
    # 保成社区: submitted and approved by 大智街道; 泰宁: submitted, waiting; 万年: returned.
    for code, fate in ((BAOCHENG, "approved"), (TAINING, "submitted"), (WANNIAN, "returned")):
        report = open_report(actor=filler, template=basic, division=divisions[code], period=month)
        _fill(report, filler, rng)
        submit(actor=filler, user=community_user, report=report)
        reviewer = street_user if code != WANNIAN else _user("ck_minzujie")
        if fate == "approved" and reviewer:
            approve(actor=street, user=reviewer, report=report)
        elif fate == "returned" and reviewer:
            return_report(
                actor=actor_for(reviewer), user=reviewer, report=report,
                reason="入户走访户次与网格员工作日志不符，请核实后重新上报。",
            )  # fmt: skip
    # This month's, being filled in: people imported today count from this month on (the
    # population indicators are "as at month end" by the record's creation date).
    current = periods.containing("monthly", timezone.localdate())
    report = open_report(
        actor=filler, template=basic, division=divisions[BAOCHENG], period=current.key
    )
    _fill(report, filler, rng, leave_empty=3)
    # 重点人群台帐 of 保成社区: a draft with two cells still to fill.
    report = open_report(
        actor=filler, template=templates["key-population-ledger"], division=divisions[BAOCHENG],
        period=month,
    )  # fmt: skip
    _fill(report, filler, rng, leave_empty=2)
    # 大智街道's centre figures, submitted to 江岸区; its 好差评季报 a draft.
    report = open_report(
        actor=street, template=templates["centre-cases-monthly"], division=divisions[DAZHI],
        period=month,
    )  # fmt: skip
    _fill(report, street, rng)
    submit(actor=street, user=street_user, report=report)
    if district_user:
        approve(actor=district, user=district_user, report=report)
    # 大智街道's own 社区基本情况月报表: 保成社区's approved figures appear in it (⇡), unretyped.
    open_report(actor=street, template=basic, division=divisions[DAZHI], period=month)
    open_report(
        actor=street, template=templates["ratings-quarterly"], division=divisions[DAZHI],
        period=quarter,
    )  # fmt: skip
    log(f"电子台帐：{len(templates)} 个报表模板，8 份报表（{month}、{current.key}、{quarter}）。")
