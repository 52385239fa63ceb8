"""共享获取材料 indicators (issue #6: declared in the library, not computed separately): the
materials of cases the platform fetched from shared data or e-certificates instead of asking
the applicant, per area of the accepting centre, and per item / centre / department.

`SharedMaterial` has no timestamp of change (a material tried again keeps its intake time), so
these are recomputed in full at each refresh (`changed` resolves to None)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.indicators.library import DISTINCT, Indicator, Measure, breakdowns, register

SHARED = "sharing.SharedMaterial"
CATEGORY = _("数据共享")

# `item_code` is the item the material was asked for (a copy kept with the row).
breakdowns(SHARED, centre="case__org_unit", department="case__item__department", item="item_code")

FOUND = Measure(SHARED, date="fetched_at", where={"found": True})
TRIED = Measure(SHARED, date="fetched_at")

register(
    Indicator(
        code="sharing.materials_satisfied",
        name=_("共享获取材料数"),
        unit=_("份"),
        category=CATEGORY,
        formula=_("统计期内经共享数据或电子证照获取、申请人无需提交的办件材料份数"),
        measure=FOUND,
    ),
    Indicator(
        code="sharing.materials_from_shared_data",
        name=_("经共享数据获取材料数"),
        unit=_("份"),
        category=CATEGORY,
        formula=_("统计期内从部门共享数据获取的办件材料份数"),
        measure=Measure(
            SHARED, date="fetched_at", where=Q(found=True) & Q(certificate_identifier="")
        ),
    ),
    Indicator(
        code="sharing.materials_from_certificates",
        name=_("经电子证照获取材料数"),
        unit=_("份"),
        category=CATEGORY,
        formula=_("统计期内以电子证照代替的办件材料份数"),
        measure=Measure(
            SHARED, date="fetched_at", where=Q(found=True) & ~Q(certificate_identifier="")
        ),
    ),
    Indicator(
        code="sharing.materials_not_found",
        name=_("未能共享获取材料数"),
        unit=_("份"),
        category=CATEGORY,
        formula=_("统计期内尝试共享获取、但未获取到（无记录、未授权等）的办件材料份数"),
        measure=Measure(SHARED, date="fetched_at", where={"found": False}),
    ),
    Indicator(
        code="sharing.cases_with_shared_materials",
        name=_("共享获取材料的办件数"),
        unit=_("件"),
        category=CATEGORY,
        formula=_("统计期内至少有一份材料经共享获取的办件数（同一办件只计一次）"),
        measure=Measure(
            SHARED, aggregate=DISTINCT, field="case", date="fetched_at", where={"found": True}
        ),
    ),
    Indicator(
        code="sharing.materials_satisfied_rate",
        name=_("材料共享获取成功率"),
        unit="%",
        category=CATEGORY,
        formula=_("统计期内共享获取到的材料份数 ÷ 尝试共享获取的材料份数 × 100%"),
        numerator=FOUND,
        denominator=TRIED,
        scale=100,
        numerator_label=_("获取到的份数"),
        denominator_label=_("尝试获取的份数"),
    ),
    source="sharing",
)
