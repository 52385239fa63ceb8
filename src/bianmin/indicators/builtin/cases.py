"""办件 indicators: intake, closure, time limits, visits (最多跑一次), channels."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bianmin.indicators.library import (
    ANY_TIME,
    AS_OF,
    DISTINCT,
    SUM,
    Indicator,
    Measure,
    Period,
    breakdowns,
    register,
)

CASE = "cases.Case"
CATEGORY = _("政务服务")

# Besides the area (受理中心区划): the accepting centre, the item's handling department, the item.
breakdowns(CASE, centre="org_unit", department="item__department", item="item__code")
breakdowns(
    "cases.CaseMaterial",
    centre="case__org_unit",
    department="case__item__department",
    item="case__item__code",
)

CLOSED = Measure(CASE, date="closed_on", where={"status": "closed"})
SUBMITTED = Measure(CASE, date="submitted_at")
ON_TIME = Measure(
    CASE, date="closed_on", where=Q(status="closed") & Q(closed_on__lte=F("due_date"))
)


def open_at_end(period: Period) -> Q:
    """Accepted and not closed, terminated or refused by the last day of the month."""
    return Q(closed_on__gt=period.end) | Q(
        closed_on__isnull=True,
        status__in=["accepted", "in_review", "returned", "decided", "delivered"],
    )


def overdue_at_end(period: Period) -> Q:
    return open_at_end(period) & Q(due_date__lt=period.end)


def _running(level: str | None = None) -> Q:
    """The time limit runs (or is paused) now — cases.queries' "running"; with `level`, at
    that warning light (the sweep keeps it current)."""
    from bianmin.cases.models import CLOCK_STATES

    running = Q(status__in=sorted(CLOCK_STATES), due_date__isnull=False)
    return running & Q(warning_level=level) if level else running


register(
    Indicator(
        code="cases.submitted",
        name=_("申请量"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("申请时间在统计期内的办件数（含未受理的），按受理中心区划统计"),
        measure=SUBMITTED,
    ),
    Indicator(
        code="cases.received",
        name=_("受理量"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("受理日期在统计期内的办件数"),
        measure=Measure(CASE, date="accepted_on"),
    ),
    Indicator(
        code="cases.closed",
        name=_("办结量"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("状态为“已办结”且办结日期在统计期内的办件数"),
        measure=CLOSED,
    ),
    Indicator(
        code="cases.on_time_rate",
        name=_("按时办结率"),
        unit="%",
        category=CATEGORY,
        formula=_("统计期内办结且办结日期不晚于承诺办结日期的件数 ÷ 统计期内办结件数 × 100%"),
        numerator=ON_TIME,
        denominator=CLOSED,
        scale=100,
        numerator_label=_("按时办结件数"),
        denominator_label=_("办结件数"),
    ),
    Indicator(
        code="cases.overdue_closed",
        name=_("超期办结件数"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("统计期内办结、办结日期晚于承诺办结日期的件数"),
        measure=Measure(
            CASE, date="closed_on", where=Q(status="closed") & Q(closed_on__gt=F("due_date"))
        ),
    ),
    Indicator(
        code="cases.open_at_end",
        name=_("月末在办件数"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("月末前已受理、到月末尚未办结（也未终止、不予受理）的办件数"),
        measure=Measure(CASE, date="accepted_on", period=AS_OF, where=open_at_end),
    ),
    Indicator(
        code="cases.overdue_open",
        name=_("超期件数"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("月末在办、且承诺办结日期早于月末的办件数（超期未办结）"),
        measure=Measure(CASE, date="accepted_on", period=AS_OF, where=overdue_at_end),
    ),
    # Current state (the 电子监察 lights), whatever the period: what a supervisor acts on today.
    Indicator(
        code="cases.running",
        name=_("在办件数（当前）"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("当前正在计时（含暂停计时）的办件数，不随统计期变化"),
        measure=Measure(CASE, period=ANY_TIME, where=lambda p: _running()),
    ),
    Indicator(
        code="cases.red_light",
        name=_("超期件数（红灯，当前）"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("当前在办、预警为红灯（已超过承诺办结日期）的办件数，不随统计期变化"),
        measure=Measure(CASE, period=ANY_TIME, where=lambda p: _running("red")),
    ),
    Indicator(
        code="cases.green_light",
        name=_("正常在办件数（绿灯，当前）"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("当前在办、预警为绿灯（时限充裕）的办件数，不随统计期变化"),
        measure=Measure(CASE, period=ANY_TIME, where=lambda p: _running("green")),
    ),
    Indicator(
        code="cases.yellow_light",
        name=_("临近到期件数（黄灯，当前）"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("当前在办、预警为黄灯（临近承诺办结日期）的办件数，不随统计期变化"),
        measure=Measure(CASE, period=ANY_TIME, where=lambda p: _running("yellow")),
    ),
    Indicator(
        code="cases.avg_visits",
        name=_("平均跑动次数"),
        unit=_("次"),
        category=CATEGORY,
        formula=_("统计期内办结办件的到现场次数之和 ÷ 统计期内办结件数"),
        numerator=Measure(
            CASE, aggregate=SUM, field="visit_count", date="closed_on", where={"status": "closed"}
        ),
        denominator=CLOSED,
        numerator_label=_("到现场次数"),
        denominator_label=_("办结件数"),
    ),
    Indicator(
        code="cases.one_visit_rate",
        name=_("最多跑一次办结率"),
        unit="%",
        category=CATEGORY,
        formula=_("统计期内办结且到现场不超过一次的件数 ÷ 统计期内办结件数 × 100%"),
        numerator=Measure(
            CASE, date="closed_on", where={"status": "closed", "visit_count__lte": 1}
        ),
        denominator=CLOSED,
        scale=100,
    ),
    Indicator(
        code="cases.zero_visit_rate",
        name=_("零跑动办结率"),
        unit="%",
        category=CATEGORY,
        formula=_("统计期内办结且未到现场的件数 ÷ 统计期内办结件数 × 100%"),
        numerator=Measure(CASE, date="closed_on", where={"status": "closed", "visit_count": 0}),
        denominator=CLOSED,
        scale=100,
    ),
    Indicator(
        code="cases.online_share",
        name=_("网上申报占比"),
        unit="%",
        category=CATEGORY,
        formula=_("统计期内网上申报的办件数 ÷ 统计期内申请量 × 100%"),
        numerator=Measure(CASE, date="submitted_at", where={"channel": "online"}),
        denominator=SUBMITTED,
        scale=100,
    ),
    Indicator(
        code="cases.agent_cases",
        name=_("代办件数"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("统计期内由村（社区）代办员代办申请的办件数"),
        measure=Measure(CASE, date="submitted_at", where={"channel": "agent"}),
    ),
    Indicator(
        code="cases.approval_rate",
        name=_("准予率"),
        unit="%",
        category=CATEGORY,
        formula=_("统计期内作出准予决定的件数 ÷ 统计期内作出决定的件数 × 100%"),
        numerator=Measure(CASE, date="decided_at", where={"decision": "approved"}),
        denominator=Measure(CASE, date="decided_at", where=~Q(decision="")),
        scale=100,
    ),
    Indicator(
        code="cases.applicants",
        name=_("办事群众人数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("统计期内提交申请的自然人申请人数（同一人多次申请只计一次）"),
        measure=Measure(
            CASE,
            aggregate=DISTINCT,
            field="applicant_person",
            date="submitted_at",
            where={"applicant_person__isnull": False},
        ),
    ),
    Indicator(
        code="cases.shared_material_rate",
        name=_("材料共享获取率"),
        unit="%",
        category=CATEGORY,
        formula=_("统计期内收取的办件材料中经数据共享获取的份数 ÷ 收取的材料总份数 × 100%"),
        numerator=Measure(
            "cases.CaseMaterial",
            area="case__area_code",
            date="received_at",
            where={"source": "shared"},
            changed=None,
        ),
        denominator=Measure(
            "cases.CaseMaterial", area="case__area_code", date="received_at", changed=None
        ),
        scale=100,
    ),
    source="cases",
)
