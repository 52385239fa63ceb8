"""人口库 indicators: the population at month end (state), and the month's changes."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from bianmin.indicators.library import AS_OF, DISTINCT, MONTH, Indicator, Measure, Period, register

PERSON = "registry.Person"
CATEGORY = _("人口")


def alive_at_end(period: Period) -> Q:
    """In the register on the last day of the month: alive and not moved out, or the death /
    move-out happened after the month."""
    return Q(life_status="alive") | Q(status_date__gt=period.end)


def aged(years: int):
    def where(period: Period) -> Q:
        return alive_at_end(period) & Q(birth_date__lte=period.years_before_end(years))

    return where


def tagged(tag: str):
    def where(period: Period) -> Q:
        from bianmin.registry.models import PersonTag

        link = PersonTag.objects.filter(person=OuterRef("pk"), tag_id=tag).filter(
            Q(since__isnull=True) | Q(since__lte=period.end)
        )
        return alive_at_end(period) & Q(Exists(link))

    return where


def of_type(kind: str):
    def where(period: Period) -> Q:
        return alive_at_end(period) & Q(residence_type=kind)

    return where


def people(where) -> Measure:
    """People in the register at month end (建档 by then) matching `where`."""
    return Measure(PERSON, date="created_at", period=AS_OF, where=where)


def _children(period: Period) -> Q:
    return alive_at_end(period) & Q(birth_date__gt=period.years_before_end(7))


ALL_PEOPLE = people(alive_at_end)
OVER_60 = people(aged(60))

register(
    Indicator(
        code="registry.population",
        name=_("实有人口数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末在人口库中建档、状态正常（未死亡、未迁出）的人数，按管辖区划（网格）统计"),
        measure=ALL_PEOPLE,
    ),
    Indicator(
        code="registry.registered_population",
        name=_("户籍人口数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末人口类型为“户籍人口”且状态正常的人数"),
        measure=people(of_type("registered")),
    ),
    Indicator(
        code="registry.resident_population",
        name=_("常住人口数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末人口类型为“常住人口”（非户籍、居住半年以上）且状态正常的人数"),
        measure=people(of_type("resident")),
    ),
    Indicator(
        code="registry.floating_population",
        name=_("流动人口数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末人口类型为“流动人口”且状态正常的人数"),
        measure=people(of_type("floating")),
    ),
    Indicator(
        code="registry.elderly_60",
        name=_("60岁以上老年人数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末年满60周岁（按身份证出生日期计算）且状态正常的人数"),
        measure=OVER_60,
    ),
    Indicator(
        code="registry.elderly_65",
        name=_("65岁以上老年人数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末年满65周岁且状态正常的人数"),
        measure=people(aged(65)),
    ),
    Indicator(
        code="registry.elderly_80",
        name=_("80岁以上高龄老人数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末年满80周岁且状态正常的人数"),
        measure=people(aged(80)),
    ),
    Indicator(
        code="registry.children_0_6",
        name=_("0-6岁儿童数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末未满7周岁且状态正常的人数"),
        measure=people(_children),
    ),
    Indicator(
        code="registry.ageing_rate",
        name=_("老龄化率（60岁以上人口占比）"),
        unit="%",
        category=CATEGORY,
        formula=_("60岁以上老年人数 ÷ 实有人口数 × 100%"),
        numerator=OVER_60,
        denominator=ALL_PEOPLE,
        scale=100,
    ),
    Indicator(
        code="registry.dibao",
        name=_("低保对象人数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末带“低保对象”标签（认定日期不晚于月末）且状态正常的人数"),
        measure=people(tagged("dibao")),
    ),
    Indicator(
        code="registry.tekun",
        name=_("特困供养人员数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末带“特困供养人员”标签且状态正常的人数"),
        measure=people(tagged("tekun")),
    ),
    Indicator(
        code="registry.disabled",
        name=_("残疾人数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("月末带“残疾人”标签且状态正常的人数"),
        measure=people(tagged("disabled")),
    ),
    Indicator(
        code="registry.households",
        name=_("户数"),
        unit=_("户"),
        category=CATEGORY,
        formula=_("月末已建立的户数（按户的管辖区划统计）"),
        measure=Measure("registry.Household", date="created_at", period=AS_OF),
    ),
    Indicator(
        code="registry.new_people",
        name=_("本月新建档人数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("建档时间在统计期内的人数"),
        measure=Measure(PERSON, date="created_at", period=MONTH),
    ),
    Indicator(
        code="registry.deaths",
        name=_("本月死亡人数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("人员状态为“死亡”且状态变更日期在统计期内的人数"),
        measure=Measure(
            PERSON, date="status_date", period=MONTH, where={"life_status": "deceased"}
        ),
    ),
    Indicator(
        code="registry.grids_with_people",
        name=_("有建档人口的网格数"),
        unit=_("个"),
        category=CATEGORY,
        formula=_("月末至少有一名状态正常人员的网格个数（按网格编码去重）"),
        measure=Measure(
            PERSON,
            aggregate=DISTINCT,
            field="grid_id",
            date="created_at",
            period=AS_OF,
            where=alive_at_end,
        ),
    ),
    source="registry",
)
