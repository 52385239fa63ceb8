"""Health-record indicators per org unit (division prefix) and year, with the seeds' formulas.

Every figure is a numerator over a denominator counted for the units one level below the area
asked for (a district → its streets, a street → its communities), in a handful of grouped
queries; an area's figure is the sum of its units' numerators over the sum of their
denominators, so the drill-down adds up by construction. Counts only, no rows: supervisors see
figures, not records, and the queries therefore use the unscoped managers over the area asked
for (the caller decides which areas a user may ask for).

Formulas (seed 002 三、主要评价指标; seed 004 for the electronic rate and chronic disease care;
the national 基本公共卫生服务规范 for the control rates and the 65+ management rate):

- 建档率 = 建档人数 / 辖区内常住居民数 × 100%  (records not closed / alive residents)
- 电子建档率 = 电子健康档案数 / 辖区内常住居民数 × 100%
- 健康档案合格率 = 合格档案份数 / 档案总份数 × 100%  (every record instead of a hand-drawn
  sample; 合格 as in `services.records.completeness`)
- 健康档案使用率 = 年内有动态记录的档案份数 / 档案总份数 × 100%  (a check-up, follow-up or
  encounter dated in the year)
- 高血压（2型糖尿病）患者规范管理率 = 年内面对面随访 ≥4 次的患者数 / 年内已管理患者数 × 100%
  (已管理 = open record with an active diagnosis of the category made by the end of the year)
- 血压控制率 = 年内最近一次随访血压 <140/90 mmHg 的患者数 / 已管理高血压患者数 × 100%
- 血糖控制率 = 年内最近一次空腹血糖 <7.0 mmol/L 的患者数 / 已管理糖尿病患者数 × 100%
- 老年人健康管理率 = 年内接受健康体检的65岁及以上居民数 / 辖区内65岁及以上常住居民数 × 100%
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from bianmin.health.models import (
    CheckKind,
    Condition,
    ConditionCategory,
    Encounter,
    HealthCheck,
    HealthRecord,
    RecordStatus,
)
from bianmin.health.models.records import ConditionStatus
from bianmin.registry.models import Division, LifeStatus, Person

BP_TARGET = (140, 90)
GLUCOSE_TARGET = 7.0
FOLLOW_UPS_PER_YEAR = 4

# (key, label, numerator field, denominator field)
INDICATORS = [
    ("filing", _("建档率"), "records", "population"),
    ("electronic", _("电子建档率"), "electronic", "population"),
    ("complete", _("健康档案合格率"), "complete", "records"),
    ("used", _("健康档案使用率"), "used", "records"),
    ("htn_standard", _("高血压患者规范管理率"), "htn_standard", "htn_managed"),
    ("htn_control", _("血压控制率"), "htn_controlled", "htn_managed"),
    ("t2d_standard", _("2型糖尿病患者规范管理率"), "t2d_standard", "t2d_managed"),
    ("t2d_control", _("血糖控制率"), "t2d_controlled", "t2d_managed"),
    ("elderly", _("老年人健康管理率"), "elderly_checked", "elderly"),
]


@dataclass
class Figures:
    population: int = 0
    elderly: int = 0
    records: int = 0
    electronic: int = 0
    complete: int = 0
    used: int = 0
    htn_managed: int = 0
    htn_standard: int = 0
    htn_controlled: int = 0
    t2d_managed: int = 0
    t2d_standard: int = 0
    t2d_controlled: int = 0
    elderly_checked: int = 0
    rates: dict = field(default_factory=dict, repr=False, compare=False)

    def add(self, other: Figures) -> None:
        for f in fields(self):
            if f.name != "rates":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def rate(self, key: str) -> float | None:
        for k, _label, num, den in INDICATORS:
            if k == key:
                d = getattr(self, den)
                return round(100 * getattr(self, num) / d, 1) if d else None
        raise KeyError(key)

    def table(self) -> list[tuple[str, str, int, int, float | None]]:
        return [
            (k, str(lbl), getattr(self, num), getattr(self, den), self.rate(k))
            for k, lbl, num, den in INDICATORS
        ]


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _minus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def child_length(prefix: str) -> int:
    """Length of the codes one level below `prefix` (city 4 → district 6 → street 9 →
    community 12); a community is its own unit."""
    for length in (4, 6, 9, 12):
        if len(prefix) < length:
            return length
    return len(prefix)


def compute(*, prefix: str, year: int) -> dict[str, Figures]:
    """{unit code prefix: Figures} for the units one level below `prefix`."""
    start, end = _year(year)
    length = child_length(prefix)
    unit = Substr("area_code", 1, length)
    out: dict[str, Figures] = defaultdict(Figures)

    seniors_born_by = _minus_years(end, 65)
    people = (
        Person.unscoped.filter(area_code__startswith=prefix, life_status=LifeStatus.ALIVE)
        .annotate(u=unit)
        .values("u")
        .annotate(n=Count("id"), old=Count("id", filter=Q(birth_date__lte=seniors_born_by)))
    )
    for row in people:
        out[row["u"]].population = row["n"]
        out[row["u"]].elderly = row["old"]

    open_records = HealthRecord.unscoped.filter(
        area_code__startswith=prefix, status=RecordStatus.ACTIVE
    )
    dynamic = Exists(
        HealthCheck.unscoped.filter(record=OuterRef("pk"), checked_on__range=(start, end))
    ) | Exists(Encounter.unscoped.filter(record=OuterRef("pk"), started_on__range=(start, end)))
    rows = (
        open_records.annotate(u=unit, dyn=dynamic)
        .values("u")
        .annotate(
            n=Count("id"),
            e=Count("id", filter=Q(electronic=True)),
            c=Count("id", filter=Q(complete=True)),
            d=Count("id", filter=Q(dyn=True)),
        )
    )
    for row in rows:
        f = out[row["u"]]
        f.records, f.electronic, f.complete, f.used = row["n"], row["e"], row["c"], row["d"]

    in_year = HealthCheck.unscoped.filter(record=OuterRef("pk"), checked_on__range=(start, end))
    follow_ups = (
        in_year.filter(kind=CheckKind.FOLLOW_UP, face_to_face=True)
        .values("record")
        .annotate(n=Count("id"))
        .values("n")
    )
    for category, name, column, on_target in (
        (
            ConditionCategory.HYPERTENSION,
            "htn",
            "systolic",
            Q(systolic__lt=BP_TARGET[0], diastolic__lt=BP_TARGET[1]),
        ),
        (
            ConditionCategory.DIABETES,
            "t2d",
            "fasting_glucose",
            Q(fasting_glucose__lt=GLUCOSE_TARGET),
        ),
    ):
        managed = open_records.filter(
            Exists(
                Condition.unscoped.filter(
                    record=OuterRef("pk"),
                    category=category,
                    status=ConditionStatus.ACTIVE,
                    onset_on__lte=end,
                )
            )
        )
        # One pass per category: the follow-up count and the id of the year's latest reading
        # per record, then the reading looked up by primary key to test the target.
        rows = (
            managed.annotate(
                u=unit,
                fu=Subquery(follow_ups, output_field=IntegerField()),
                last=Subquery(_latest(in_year, column, "id")),
            )
            .values("u")
            .annotate(
                n=Count("id"),
                s=Count("id", filter=Q(fu__gte=FOLLOW_UPS_PER_YEAR)),
                c=Count(
                    "id",
                    filter=Q(Exists(HealthCheck.unscoped.filter(on_target, pk=OuterRef("last")))),
                ),
            )
        )
        for row in rows:
            f = out[row["u"]]
            setattr(f, f"{name}_managed", row["n"])
            setattr(f, f"{name}_standard", row["s"])
            setattr(f, f"{name}_controlled", row["c"])

    checked_seniors = (
        open_records.filter(
            person__birth_date__lte=seniors_born_by,
            person__life_status=LifeStatus.ALIVE,
        )
        .filter(
            Exists(
                HealthCheck.unscoped.filter(
                    record=OuterRef("pk"),
                    checked_on__range=(start, end),
                    kind__in=[CheckKind.ELDERLY, CheckKind.ANNUAL],
                )
            )
        )
        .annotate(u=unit)
        .values("u")
        .annotate(n=Count("id"))
    )
    for row in checked_seniors:
        out[row["u"]].elderly_checked = row["n"]
    return dict(out)


def _latest(in_year, column: str, value: str):
    """The year's latest check with `column` filled in (latest date, then latest entered)."""
    return (
        in_year.filter(**{f"{column}__isnull": False})
        .order_by("-checked_on", "-id")
        .values(value)[:1]
    )


def total(figures: dict[str, Figures]) -> Figures:
    whole = Figures()
    for f in figures.values():
        whole.add(f)
    return whole


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    figures: Figures
    drillable: bool


def report(*, prefix: str, year: int) -> tuple[Figures, list[Row]]:
    """The area's figures and one row per unit below it (named after its division)."""
    by_unit = compute(prefix=prefix, year=year)
    length = child_length(prefix)
    names = dict(Division.objects.filter(prefix__in=list(by_unit)).values_list("prefix", "name"))
    rows = [
        Row(code, names.get(code, code), figures, drillable=length < 12)
        for code, figures in sorted(by_unit.items())
    ]
    return total(by_unit), rows


# The same figures in the city's indicator library (autodiscovery imports this module).
from bianmin.health import indicator_library  # noqa: E402, F401
