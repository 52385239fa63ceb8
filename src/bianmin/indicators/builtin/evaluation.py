"""好差评 indicators: the period's ratings (in total and per level) and satisfaction,
bad-review rectification, complaints — the figures of the 好差评 dashboard (evaluation/queries.py
reads them from here) and of the star ratings (evaluation/stars.py's rule)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.indicators.library import Indicator, Measure, Period, breakdowns, register

RATING = "evaluation.Rating"
COMPLAINT = "evaluation.Complaint"
CATEGORY = _("好差评")

# The centre that accepted the rated case (the one the stars rate), its handling department.
breakdowns(RATING, centre="org_unit", department="department", item="case__item__code")
breakdowns(COMPLAINT, centre="org_unit", department="department")
RATINGS = Measure(RATING, date="rated_on", changed="rated_at")


def _answered(period: Period) -> Q:
    from bianmin.evaluation.models import RUNNING

    return Q(task__answered_at__isnull=False, task__late=False) & ~Q(task__status__in=RUNNING)


def _known_outcome(period: Period) -> Q:
    """Answered in time, or overdue as of the day the figures are taken (`period.today`; a
    task still within its limit counts for neither) — evaluation.queries.Figures.on_time_rate.
    The two are disjoint (an answered task is no longer running and was not late), so
    overdue = denominator − numerator."""
    from bianmin.evaluation.models import overdue_q

    return _answered(period) | overdue_q(period.today, "task__")


def _complaint_overdue(period: Period) -> Q:
    from bianmin.evaluation.models import overdue_q

    return overdue_q(period.today)


register(
    Indicator(
        code="evaluation.ratings",
        name=_("评价数"),
        unit=_("次"),
        category=CATEGORY,
        formula=_("评价日期在统计期内的好差评条数，按受理中心区划统计"),
        measure=RATINGS,
    ),
    Indicator(
        code="evaluation.satisfaction_rate",
        name=_("好差评满意率"),
        unit="%",
        category=CATEGORY,
        formula=_("（非常满意＋满意＋基本满意）评价数 ÷ 评价总数 × 100%"),
        numerator=Measure(RATING, date="rated_on", changed="rated_at", where={"level__gte": 3}),
        denominator=RATINGS,
        scale=100,
        numerator_label=_("满意评价数"),
        denominator_label=_("评价总数"),
    ),
    Indicator(
        code="evaluation.very_satisfied",
        name=_("非常满意评价数"),
        unit=_("次"),
        category=CATEGORY,
        formula=_("统计期内评价为“非常满意”的评价数"),
        measure=Measure(RATING, date="rated_on", changed="rated_at", where={"level": 5}),
    ),
    Indicator(
        code="evaluation.satisfied",
        name=_("满意评价数"),
        unit=_("次"),
        category=CATEGORY,
        formula=_("统计期内评价为“满意”的评价数"),
        measure=Measure(RATING, date="rated_on", changed="rated_at", where={"level": 4}),
    ),
    Indicator(
        code="evaluation.basically_satisfied",
        name=_("基本满意评价数"),
        unit=_("次"),
        category=CATEGORY,
        formula=_("统计期内评价为“基本满意”的评价数"),
        measure=Measure(RATING, date="rated_on", changed="rated_at", where={"level": 3}),
    ),
    Indicator(
        code="evaluation.dissatisfied",
        name=_("不满意评价数"),
        unit=_("次"),
        category=CATEGORY,
        formula=_("统计期内评价为“不满意”的评价数"),
        measure=Measure(RATING, date="rated_on", changed="rated_at", where={"level": 2}),
    ),
    Indicator(
        code="evaluation.very_dissatisfied",
        name=_("非常不满意评价数"),
        unit=_("次"),
        category=CATEGORY,
        formula=_("统计期内评价为“非常不满意”的评价数"),
        measure=Measure(RATING, date="rated_on", changed="rated_at", where={"level": 1}),
    ),
    Indicator(
        code="evaluation.rectification_tasks",
        name=_("差评整改任务数"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("统计期内的评价中生成了差评整改任务的件数"),
        measure=Measure(RATING, date="rated_on", changed="rated_at", where={"task__isnull": False}),
    ),
    Indicator(
        code="evaluation.bad_ratings",
        name=_("差评数"),
        unit=_("次"),
        category=CATEGORY,
        formula=_("统计期内“不满意”“非常不满意”的评价数"),
        measure=Measure(RATING, date="rated_on", changed="rated_at", where={"level__lte": 2}),
    ),
    Indicator(
        code="evaluation.rectification_on_time_rate",
        name=_("差评整改按时率"),
        unit="%",
        category=CATEGORY,
        formula=_(
            "统计期内差评中按时答复的件数 ÷（按时答复件数＋截至今日超期件数）× 100%；"
            "仍在期限内的整改不计入"
        ),
        # "Overdue" moves with today, which no row change records: always a full recompute.
        numerator=Measure(RATING, date="rated_on", changed=None, where=_answered),
        denominator=Measure(RATING, date="rated_on", changed=None, where=_known_outcome),
        scale=100,
    ),
    Indicator(
        code="evaluation.complaints",
        name=_("投诉件数"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("开始日期在统计期内的投诉件数，按管辖区划统计"),
        measure=Measure(COMPLAINT, date="opened_on"),
    ),
    Indicator(
        code="evaluation.complaints_founded",
        name=_("投诉属实件数"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("统计期内登记、经核实属实的投诉件数"),
        measure=Measure(COMPLAINT, date="opened_on", where={"founded": True}),
    ),
    Indicator(
        code="evaluation.complaints_overdue",
        name=_("投诉超期件数"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("统计期内登记的投诉中，截至今日超过核实或答复期限（或逾期答复）的件数"),
        # Moves with today, which no row change records: always a full recompute.
        measure=Measure(COMPLAINT, date="opened_on", changed=None, where=_complaint_overdue),
    ),
    source="evaluation",
)
