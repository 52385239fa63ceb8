"""服务项目 (programs) indicators over all programs: follow-up visits and enrolments. A program's
own figures (one program's coverage against its target population) are declared by the app
that defines the program, with `where={"program__code": …}`."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.indicators.library import AS_OF, DISTINCT, Indicator, Measure, Period, register

CATEGORY = _("随访服务")
VISITS = Measure("programs.Visit", date="visited_on")


def enrolled_at_end(period: Period) -> Q:
    return Q(exited_on__isnull=True) | Q(exited_on__gt=period.end)


ENROLLED = Measure("programs.Enrolment", date="enrolled_on", period=AS_OF, where=enrolled_at_end)

register(
    Indicator(
        code="programs.visits",
        name=_("随访人次"),
        unit=_("人次"),
        category=CATEGORY,
        formula=_("随访日期在统计期内的随访记录数（各服务项目合计），按管辖区划统计"),
        measure=VISITS,
    ),
    Indicator(
        code="programs.visited_people",
        name=_("随访人数"),
        unit=_("人"),
        category=CATEGORY,
        formula=_("统计期内至少随访一次的服务对象人数（同一人只计一次）"),
        measure=Measure(
            "programs.Visit", aggregate=DISTINCT, field="enrolment__person", date="visited_on"
        ),
    ),
    Indicator(
        code="programs.enrolled",
        name=_("月末在管人数"),
        unit=_("人次"),
        category=CATEGORY,
        formula=_("月末前纳入、到月末尚未结案的项目纳入数（一人参加多个项目分别计）"),
        measure=ENROLLED,
    ),
    Indicator(
        code="programs.new_enrolments",
        name=_("新纳入人数"),
        unit=_("人次"),
        category=CATEGORY,
        formula=_("纳入日期在统计期内的项目纳入数"),
        measure=Measure("programs.Enrolment", date="enrolled_on"),
    ),
    Indicator(
        code="programs.exits",
        name=_("结案人数"),
        unit=_("人次"),
        category=CATEGORY,
        formula=_("结案日期在统计期内的项目纳入数"),
        measure=Measure("programs.Enrolment", date="exited_on"),
    ),
    Indicator(
        code="programs.visit_rate",
        name=_("月度随访覆盖率"),
        unit="%",
        category=CATEGORY,
        formula=_("统计期内有随访记录的在管纳入数 ÷ 月末在管人数 × 100%"),
        numerator=Measure(
            "programs.Enrolment",
            date="enrolled_on",
            period=AS_OF,
            where=lambda p: enrolled_at_end(p) & Q(_visited_in(p)),
            changed=None,
        ),
        denominator=ENROLLED,
        scale=100,
    ),
    source="programs",
)


def _visited_in(period: Period):
    from django.db.models import Exists, OuterRef

    from bianmin.programs.models import Visit

    return Exists(
        Visit.objects.filter(
            enrolment=OuterRef("pk"), visited_on__gte=period.start, visited_on__lte=period.end
        )
    )
