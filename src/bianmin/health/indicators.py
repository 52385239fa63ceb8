"""Health-record indicators, declared in the city's indicator library (`bianmin.indicators`):
the one place their formulas live. The supervisors' page (`/health/indicators/`), the library's
pages and API, the ledger and the stored monthly values all read these declarations.

Formulas (seed 002 三、主要评价指标; seed 004 for the electronic rate and chronic disease care;
the national 基本公共卫生服务规范 for the control rates and the 65+ management rate):

- 建档率 = 建档人数 / 辖区内常住居民数 × 100%  (records open at the period's end / residents
  alive and in the register then)
- 电子建档率 = 电子健康档案数 / 辖区内常住居民数 × 100%
- 健康档案合格率 = 合格档案份数 / 档案总份数 × 100%  (every record instead of a hand-drawn
  sample; 合格 as in `services.records.completeness`)
- 健康档案使用率 = 年内有动态记录的档案份数 / 档案总份数 × 100%  (a check-up, follow-up or
  encounter dated within the year)
- 高血压（2型糖尿病）患者规范管理率 = 年内面对面随访 ≥4 次的患者数 / 年内已管理患者数 × 100%
  (已管理 = open record with an active diagnosis of the category made by the period's end)
- 血压控制率 = 年内最近一次随访血压 <140/90 mmHg 的患者数 / 已管理高血压患者数 × 100%
- 血糖控制率 = 年内最近一次空腹血糖 <7.0 mmol/L 的患者数 / 已管理糖尿病患者数 × 100%
- 老年人健康管理率 = 年内接受健康体检的65岁及以上居民数 / 辖区内65岁及以上常住居民数 × 100%

"Within the year" is the twelve calendar months ending with the period's month: for a month of
the library (stored, frozen, on the dashboard) the last twelve months; for December, or a
`Year` (the calendar-year report), 1 January to 31 December. States (open, alive, aged 65,
diagnosed) are read on the period's last day. Every measure depends on rows hanging off the
record (check-ups, encounters, diagnoses), which do not touch the record's timestamp, so they
are recomputed in full (`changed=None`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from bianmin.indicators.library import AS_OF, Indicator, Measure, Period, register
from bianmin.indicators.units import prefix_q

RECORD = "health.HealthRecord"
CATEGORY = _("卫生健康")
BP_TARGET = Q(systolic__lt=140, diastolic__lt=90)  # mmHg
GLUCOSE_TARGET = Q(fasting_glucose__lt=7)  # mmol/L, fasting
FOLLOW_UPS_PER_YEAR = 4  # face to face
CITY_PREFIX_LENGTH = 4


def _window(period: Period) -> tuple[dt.date, dt.date]:
    """The twelve calendar months ending with the period's month: for December (or a `Year`),
    1 January to 31 December — in a leap year too, which "365 days back" would miss."""
    last = period.month + period.months - 1  # the period's last month (a year: December)
    first = period.year * 12 + last - 12  # months since year 0, eleven months back
    return dt.date(first // 12, first % 12 + 1, 1), period.end


def _open(period: Period) -> Q:
    return Q(status="active") | Q(closed_on__gt=period.end)


def _alive(period: Period) -> Q:
    return Q(life_status="alive") | Q(status_date__gt=period.end)


def _in_area(period: Period) -> Q:
    """The rows of records in the area the figures are computed for (`period.area`, set by
    the engine). The outer query keeps only that area's records and the subquery is
    correlated to the outer record, so this changes no figure; saying it inside the subquery
    lets PostgreSQL build its hashed subplan from that area's rows instead of the whole
    city's (a district's figures cost a district's reads)."""
    if len(period.area) <= CITY_PREFIX_LENGTH:
        # The platform holds one city: for the city the cut keeps every row and only adds a
        # join to the records in each subquery (×1.2 on the city's figures).
        return Q()
    return prefix_q("record__area_code", period.area)


def _checks(period: Period):
    from bianmin.health.models import HealthCheck

    return HealthCheck.unscoped.filter(
        _in_area(period), record=OuterRef("pk"), checked_on__range=_window(period)
    )


def records(extra=None) -> Measure:
    def where(period: Period) -> Q:
        q = _open(period)
        return q & extra(period) if extra else q

    return Measure(RECORD, date="opened_on", period=AS_OF, where=where, changed=None)


def _used(period: Period) -> Q:
    from bianmin.health.models import Encounter

    encounters = Encounter.unscoped.filter(
        _in_area(period), record=OuterRef("pk"), started_on__range=_window(period)
    )
    return Q(Exists(_checks(period))) | Q(Exists(encounters))


def _managed(category: str):
    def where(period: Period) -> Q:
        from bianmin.health.models import Condition

        return Q(
            Exists(
                Condition.unscoped.filter(
                    _in_area(period),
                    record=OuterRef("pk"),
                    category=category,
                    status="active",
                    onset_on__lte=period.end,
                )
            )
        )

    return where


def _standard(category: str):
    def where(period: Period) -> Q:
        follow_ups = (
            _checks(period)
            .filter(kind="follow_up", face_to_face=True)
            .values("record")
            .annotate(n=Count("id"))
            .values("n")
        )
        count = Subquery(follow_ups, output_field=IntegerField())
        return _managed(category)(period) & Q(GreaterThanOrEqual(count, FOLLOW_UPS_PER_YEAR))

    return where


def _controlled(category: str, column: str, target: Q):
    def where(period: Period) -> Q:
        from bianmin.health.models import HealthCheck

        latest = (
            HealthCheck.unscoped.filter(
                record=OuterRef(OuterRef("pk")),
                checked_on__range=_window(period),
                **{f"{column}__isnull": False},
            )
            .order_by("-checked_on", "-id")
            .values("id")[:1]
        )
        on_target = HealthCheck.unscoped.filter(target, _in_area(period), pk=Subquery(latest))
        return _managed(category)(period) & Q(Exists(on_target))

    return where


def _seniors_checked(period: Period) -> Q:
    from bianmin.registry.models import Person

    # EXISTS, not a join to the person: the join would be made for every record of the query
    # (all health measures share one scan), the subquery only for open ones, hashed once.
    # (Not cut to the area: a person's own area may differ from their record's.)
    senior = Person.unscoped.filter(
        _alive(period), pk=OuterRef("person_id"), birth_date__lte=period.years_before_end(65)
    )
    checked = _checks(period).filter(kind__in=["elderly", "annual"])
    return Q(Exists(senior)) & Q(Exists(checked))


def _people(extra=None) -> Measure:
    def where(period: Period) -> Q:
        q = _alive(period)
        return q & extra(period) if extra else q

    return Measure("registry.Person", date="created_at", period=AS_OF, where=where)


def _ratio(code, name, formula, numerator, denominator) -> Indicator:
    return Indicator(
        code=f"health.{code}",
        name=name,
        unit="%",
        category=CATEGORY,
        formula=formula,
        numerator=numerator,
        denominator=denominator,
        scale=100,
        decimals=1,
    )


HTN, T2D = "hypertension", "t2d"
# One instance per figure: measures are told apart by identity, so a shared denominator is
# computed once.
RESIDENTS = _people()
OPEN_RECORDS = records()
HTN_MANAGED = records(_managed(HTN))
T2D_MANAGED = records(_managed(T2D))

register(
    _ratio("filing_rate", _("健康档案建档率"),
           _("月末在管健康档案数 ÷ 月末辖区内常住居民数 × 100%"), OPEN_RECORDS, RESIDENTS),
    _ratio("electronic_rate", _("电子健康档案建档率"),
           _("月末在管电子健康档案数 ÷ 月末辖区内常住居民数 × 100%"),
           records(lambda p: Q(electronic=True)), RESIDENTS),
    _ratio("complete_rate", _("健康档案合格率"),
           _("合格档案份数 ÷ 在管档案总份数 × 100%（基本信息齐全、既往史已询问、有体检记录）"),
           records(lambda p: Q(complete=True)), OPEN_RECORDS),
    _ratio("usage_rate", _("健康档案使用率"),
           _("截至月末一年内有体检、随访或就诊记录的档案份数 ÷ 在管档案总份数 × 100%"),
           records(_used), OPEN_RECORDS),
    _ratio("htn_standard_rate", _("高血压患者规范管理率"),
           _("一年内面对面随访不少于4次的高血压患者数 ÷ 已管理高血压患者数 × 100%"),
           records(_standard(HTN)), HTN_MANAGED),
    _ratio("bp_control_rate", _("管理人群血压控制率"),
           _("一年内最近一次血压低于140/90mmHg的患者数 ÷ 已管理高血压患者数 × 100%"),
           records(_controlled(HTN, "systolic", BP_TARGET)), HTN_MANAGED),
    _ratio("t2d_standard_rate", _("2型糖尿病患者规范管理率"),
           _("一年内面对面随访不少于4次的糖尿病患者数 ÷ 已管理糖尿病患者数 × 100%"),
           records(_standard(T2D)), T2D_MANAGED),
    _ratio("glucose_control_rate", _("管理人群血糖控制率"),
           _("一年内最近一次空腹血糖低于7.0mmol/L的患者数 ÷ 已管理糖尿病患者数 × 100%"),
           records(_controlled(T2D, "fasting_glucose", GLUCOSE_TARGET)), T2D_MANAGED),
    _ratio("elderly_rate", _("老年人健康管理率"),
           _("一年内接受健康体检的65岁及以上居民数 ÷ 月末辖区内65岁及以上常住居民数 × 100%"),
           records(_seniors_checked),
           _people(lambda p: Q(birth_date__lte=p.years_before_end(65)))),
    source="health",
)  # fmt: skip

# In the order the supervisors' page shows them.
CODES = [
    "health.filing_rate",
    "health.electronic_rate",
    "health.complete_rate",
    "health.usage_rate",
    "health.htn_standard_rate",
    "health.bp_control_rate",
    "health.t2d_standard_rate",
    "health.glucose_control_rate",
    "health.elderly_rate",
]
