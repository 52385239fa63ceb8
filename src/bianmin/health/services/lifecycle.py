"""What a life event means for health records (一次告知，全网联动):

- DEATH: the family-doctor contract ends (解约, reason 死亡), referrals not completed are
  withdrawn (撤销, 患者死亡), and the record is closed with the reason;
- MOVE_OUT: the contract ends (户籍迁出) and the record is closed; a referral runs on (the
  treatment does not stop at the 户籍 border; the receiving institution completes it);
- MOVE within the platform: the record goes to the new area; a contract whose team does not
  serve the new area ends (a contract is the resident's agreement with one team: it is not
  moved to another team without them; they sign with the new area's team).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Q

from bianmin.core import lifecycle
from bianmin.core.audit import SYSTEM
from bianmin.core.lifecycle import Contradiction, LifeEvent
from bianmin.health.models import (
    Contract,
    ContractStatus,
    HealthCheck,
    HealthRecord,
    RecordStatus,
    Referral,
    ReferralStatus,
)
from bianmin.health.models.care import PENDING_REFERRAL
from bianmin.health.models.records import CloseReason
from bianmin.health.services.care import end_contract, withdraw_referral
from bianmin.health.services.records import close_record
from bianmin.registry.models import LifeStatus, Person

CONTRACT_END = {
    CloseReason.DEATH: "死亡",
    CloseReason.MOVED_OUT: "户籍迁出",
}
MOVED_AWAY = "居住地迁出签约团队服务区域"
REFERRAL_WITHDRAWN = "患者死亡"


def _end_contracts(actor, person_id: int, reason: str, *, keep_area: str = "") -> list[str]:
    """End the person's running contract (`keep_area`: unless its team serves that area)."""
    ended = []
    for contract in Contract.unscoped.select_related("record", "team").filter(
        record__person_id=person_id, status=ContractStatus.ACTIVE
    ):
        if keep_area and keep_area.startswith(contract.team.area_code):
            continue
        end_contract(actor=actor or SYSTEM, contract=contract, reason=reason)
        ended.append(contract.team.name)
    return ended


def _close(event: LifeEvent, actor, reason: str) -> str | None:
    parts = []
    ended = _end_contracts(actor, event.person_id, CONTRACT_END[reason])
    if ended:
        parts.append(f"家庭医生签约解约（{'、'.join(ended)}）")
    if reason == CloseReason.DEATH:
        pending = Referral.unscoped.filter(
            record__person_id=event.person_id, status__in=PENDING_REFERRAL
        ).order_by("pk")
        withdrawn = [
            withdraw_referral(
                actor=actor or SYSTEM, referral=r, reason=REFERRAL_WITHDRAWN, on=event.occurred_on
            )
            for r in pending
        ]
        if withdrawn:
            parts.append(f"撤销未完成转诊{len(withdrawn)}件")
    record = (
        HealthRecord.unscoped.select_related("person")
        .filter(person_id=event.person_id, status=RecordStatus.ACTIVE)
        .first()
    )
    if record is not None:
        close_record(actor=actor or SYSTEM, record=record, reason=reason, on=event.occurred_on)
        closed = f"健康档案 {record.record_code} 结案（{record.get_close_reason_display()}）"
        parts.insert(0, closed)
    return "；".join(parts) or None


def on_death(event: LifeEvent, actor) -> str | None:
    return _close(event, actor, CloseReason.DEATH)


def on_move_out(event: LifeEvent, actor) -> str | None:
    return _close(event, actor, CloseReason.MOVED_OUT)


def on_move(event: LifeEvent, actor) -> str | None:
    area = Person.unscoped.filter(pk=event.person_id).values_list("area_code", flat=True).first()
    if not area:
        return None
    parts = []
    moved = HealthRecord.unscoped.filter(person_id=event.person_id).exclude(area_code=area)
    if moved.update(area_code=area):
        parts.append(f"健康档案转至 {area}")
    ended = _end_contracts(actor, event.person_id, MOVED_AWAY, keep_area=area)
    if ended:
        parts.append(f"家庭医生签约解约（{'、'.join(ended)}，{MOVED_AWAY}）")
    return "；".join(parts) or None


def contradictions() -> Iterator[Contradiction]:
    """Open records of people who died or left, or filed where their person no longer lives;
    running contracts of people who died or left, or outside the team's area; referrals still
    pending for a deceased patient; measurements dated after a death."""
    gone = HealthRecord.unscoped.filter(
        status=RecordStatus.ACTIVE,
        person__life_status__in=[LifeStatus.DECEASED, LifeStatus.MOVED_OUT],
    ).values_list("pk", "person_id", "record_code")
    for pk, person_id, code in gone:
        yield Contradiction(
            "health.records", "health.HealthRecord", pk, person_id, f"档案 {code} 未结案"
        )
    # The record goes where its person lives (MOVE).
    stale = HealthRecord.unscoped.filter(person__life_status=LifeStatus.ALIVE).exclude(
        area_code=F("person__area_code")
    )
    for pk, person_id, code, area in stale.values_list(
        "pk", "person_id", "record_code", "person__area_code"
    ):
        yield Contradiction(
            "health.records",
            "health.HealthRecord",
            pk,
            person_id,
            f"档案 {code} 的管辖区划与居民现居住区划{area}不一致",
        )
    contracts = Contract.unscoped.filter(status=ContractStatus.ACTIVE)
    for pk, person_id, status in contracts.filter(
        record__person__life_status__in=[LifeStatus.DECEASED, LifeStatus.MOVED_OUT]
    ).values_list("pk", "record__person_id", "record__person__life_status"):
        yield Contradiction(
            "health.records",
            "health.Contract",
            pk,
            person_id,
            f"家庭医生签约仍在履约，居民状态为{LifeStatus(status).label}",
        )
    # A team serves its area: a running contract outside it was left behind by a move.
    away = contracts.filter(record__person__life_status=LifeStatus.ALIVE).exclude(
        record__person__area_code__startswith=F("team__area_code")
    )
    for pk, person_id, area, team_area in away.values_list(
        "pk", "record__person_id", "record__person__area_code", "team__area_code"
    ):
        yield Contradiction(
            "health.records",
            "health.Contract",
            pk,
            person_id,
            f"家庭医生签约团队服务区域{team_area}不含居民现居住区划{area}",
        )
    pending = Referral.unscoped.filter(
        status__in=PENDING_REFERRAL, record__person__life_status=LifeStatus.DECEASED
    ).values_list("pk", "record__person_id", "status")
    for pk, person_id, status in pending:
        yield Contradiction(
            "health.records",
            "health.Referral",
            pk,
            person_id,
            f"转诊状态为{ReferralStatus(status).label}，患者已死亡",
        )
    late = HealthCheck.unscoped.filter(
        Q(record__person__life_status=LifeStatus.DECEASED),
        checked_on__gt=F("record__person__status_date"),
    ).values_list("pk", "record__person_id", "checked_on")
    for pk, person_id, day in late:
        yield Contradiction(
            "health.records", "health.HealthCheck", pk, person_id, f"{day} 的测量晚于死亡日期"
        )


def register() -> None:
    lifecycle.register_handler(lifecycle.DEATH, "health.records", on_death, order=50)
    lifecycle.register_handler(lifecycle.MOVE_OUT, "health.records", on_move_out, order=50)
    lifecycle.register_handler(lifecycle.MOVE, "health.records", on_move, order=50)
    lifecycle.register_check("health.records", contradictions)
