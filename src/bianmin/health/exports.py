"""Excel exports of the health lists (records, referrals, contracts), audited like every
export and cut, through the scoped managers, to the user's area and the health department.

Health data leaves the platform here, so each sheet carries what its list page shows and no
more clinical detail: no history, check-ups or follow-ups. The resident's ID number is written
masked (to tell namesakes apart), never in clear."""

from __future__ import annotations

from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.core.excel import Column, audited_export, given
from bianmin.health.models import Contract, HealthRecord, Referral

_CHUNK = 1000

RECORD_COLUMNS = [
    Column(_("档案编号"), lambda r: r.record_code, 16),
    Column(_("姓名"), lambda r: r.person.name, 10),
    Column(_("身份证号"), lambda r: r.person.id_masked, 21),
    Column(_("建档村（社区）"), lambda r: r.village.name, 16),
    Column(_("建档日期"), lambda r: r.opened_on, 12),
    Column(_("电子档案"), lambda r: r.electronic, 8),
    Column(_("合格档案"), lambda r: _("合格") if r.complete else _("不完整"), 8),
    Column(_("状态"), lambda r: r.get_status_display(), 8),
]

REFERRAL_COLUMNS = [
    Column(_("日期"), lambda r: r.requested_on, 12),
    Column(_("居民"), lambda r: r.record.person.name, 10),
    Column(_("档案编号"), lambda r: r.record.record_code, 16),
    Column(_("方向"), lambda r: r.get_direction_display(), 6),
    Column(_("转出机构"), lambda r: str(r.from_institution), 22),
    Column(_("接收机构"), lambda r: str(r.to_institution), 22),
    Column(_("原因"), lambda r: r.reason, 30),
    Column(_("初步诊断编码"), lambda r: r.diagnosis_icd10, 10),
    Column(_("状态"), lambda r: r.get_status_display(), 8),
]

CONTRACT_COLUMNS = [
    Column(_("居民"), lambda c: c.record.person.name, 10),
    Column(_("档案编号"), lambda c: c.record.record_code, 16),
    Column(_("签约团队"), lambda c: c.team.name, 20),
    Column(_("服务包"), lambda c: c.package, 16),
    Column(_("服务开始"), lambda c: c.starts_on, 12),
    Column(_("服务结束"), lambda c: c.ends_on, 12),
    Column(_("状态"), lambda c: c.get_status_display(), 8),
]


def export_records(
    *, actor: Actor, items: QuerySet[HealthRecord], filters: dict[str, Any], target: IO[bytes]
) -> int:
    return audited_export(
        target,
        actor=actor,
        what="居民健康档案",
        columns=RECORD_COLUMNS,
        rows=items.select_related("person", "village").iterator(chunk_size=_CHUNK),
        object_type="health_record",
        label="居民健康档案名单导出",
        changes={"filters": given(filters)},
    )


def export_referrals(
    *, actor: Actor, items: QuerySet[Referral], filters: dict[str, Any], target: IO[bytes]
) -> int:
    rows = items.select_related(
        "record__person", "from_institution__org_unit", "to_institution__org_unit"
    )
    return audited_export(
        target,
        actor=actor,
        what="双向转诊",
        columns=REFERRAL_COLUMNS,
        rows=rows.iterator(chunk_size=_CHUNK),
        object_type="referral",
        label="双向转诊导出",
        changes={"filters": given(filters)},
    )


def export_contracts(*, actor: Actor, items: QuerySet[Contract], target: IO[bytes]) -> int:
    return audited_export(
        target,
        actor=actor,
        what="家庭医生签约",
        columns=CONTRACT_COLUMNS,
        rows=items.select_related("record__person", "team").iterator(chunk_size=_CHUNK),
        object_type="contract",
        label="家庭医生签约导出",
        changes={"filters": {}},
    )
