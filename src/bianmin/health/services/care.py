"""Encounters, family-doctor teams and contracts, two-way referrals and referral rates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.health.models import (
    Contract,
    ContractStatus,
    Encounter,
    EncounterKind,
    FamilyDoctorTeam,
    HealthRecord,
    Institution,
    Referral,
    ReferralDirection,
    ReferralStatus,
)
from bianmin.health.models.care import PENDING_REFERRAL, RANK
from bianmin.health.services.common import (
    OutOfArea,
    check_service_date,
    ensure_active,
    ensure_health_area,
)
from bianmin.health.services.records import OBJECT, _check_icd10, label

# --- Encounters -----------------------------------------------------------------------------


@transaction.atomic
def add_encounter(
    *,
    actor: Actor,
    record: HealthRecord,
    kind: str,
    institution: Institution,
    started_on: dt.date,
    ended_on: dt.date | None = None,
    diagnosis_icd10: str = "",
    diagnosis_name: str = "",
    summary: str = "",
    doctor: str = "",
) -> Encounter:
    ensure_health_area(record.area_code)
    ensure_active(record)
    if kind not in EncounterKind.values:
        raise ValidationError({"kind": ValidationError(_("类型无效。"), code="invalid_choice")})
    check_service_date(started_on, record.person, field="started_on")
    if ended_on is not None:
        check_service_date(ended_on, record.person, field="ended_on")
        if ended_on < started_on:
            raise ValidationError(
                {"ended_on": ValidationError(_("出院日期早于入院日期。"), code="end_before_start")}
            )
    encounter = Encounter.objects.create(
        record=record,
        kind=kind,
        institution=institution,
        started_on=started_on,
        ended_on=ended_on,
        diagnosis_icd10=_check_icd10(diagnosis_icd10, field="diagnosis_icd10", required=False),
        diagnosis_name=diagnosis_name[:100],
        summary=summary[:300],
        doctor=(doctor or actor.name)[:60],
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type=OBJECT,
        object_id=record.record_code,
        object_label=label(record),
        changes={"encounter": [kind, str(started_on)]},
    )
    return encounter


# --- Family-doctor teams and contracts ------------------------------------------------------


@transaction.atomic
def create_team(
    *, actor: Actor, institution: Institution, name: str, area_code: str, members=(), leader=None
) -> FamilyDoctorTeam:
    ensure_health_area(area_code)
    if not area_code.startswith(institution.area_code[:6]):
        raise ValidationError(
            {"area_code": ValidationError(_("团队服务区域须在机构所在区内。"), code="area")}
        )
    team = FamilyDoctorTeam.objects.create(
        institution=institution, name=name.strip()[:60], area_code=area_code, leader=leader
    )
    if members:
        team.members.set(members)
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="health_team",
        object_id=team.pk,
        object_label=team.name,
    )
    return team


@transaction.atomic
def sign_contract(
    *,
    actor: Actor,
    record: HealthRecord,
    team: FamilyDoctorTeam,
    signed_on: dt.date,
    years: int = 1,
    package: str = "",
) -> Contract:
    """签约 for `years` (usually one), renewing by a new contract once the old one ended."""
    ensure_health_area(record.area_code)
    ensure_active(record)
    check_service_date(signed_on, record.person, field="signed_on")
    if not record.area_code.startswith(team.area_code):
        raise ValidationError(
            {"team": ValidationError(_("该团队不负责该居民所在区域。"), code="team_area")}
        )
    if Contract.unscoped.filter(record=record, status=ContractStatus.ACTIVE).exists():
        raise ValidationError(_("该居民已有履约中的签约。"), code="already_signed")
    contract = Contract.objects.create(
        record=record,
        team=team,
        signed_on=signed_on,
        starts_on=signed_on,
        ends_on=signed_on.replace(year=signed_on.year + years) - dt.timedelta(days=1)
        if not (signed_on.month == 2 and signed_on.day == 29)
        else dt.date(signed_on.year + years, 2, 28),
        package=package[:60],
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="health_contract",
        object_id=contract.pk,
        object_label=label(record),
        changes={"team": team.name},
    )
    return contract


@transaction.atomic
def end_contract(*, actor: Actor, contract: Contract, reason: str) -> Contract:
    ensure_health_area(contract.record.area_code)
    if contract.status != ContractStatus.ACTIVE:
        raise ValidationError(_("该签约已解约。"), code="not_active")
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(_("请填写解约原因。"), code="required")})
    contract.status, contract.ended_reason = ContractStatus.ENDED, reason.strip()[:100]
    contract.save(update_fields=["status", "ended_reason"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="health_contract",
        object_id=contract.pk,
        object_label=label(contract.record),
        changes={"status": "ended", "reason": contract.ended_reason},
    )
    return contract


# --- Referrals ------------------------------------------------------------------------------


@transaction.atomic
def request_referral(
    *,
    actor: Actor,
    record: HealthRecord,
    from_institution: Institution,
    to_institution: Institution,
    reason: str,
    diagnosis_icd10: str,
    requested_on: dt.date | None = None,
) -> Referral:
    """转出. Up = to a higher level of the group, down = to a lower one; same level is not a
    referral of the group (双向转诊 runs between levels)."""
    requested_on = requested_on or timezone.localdate()
    ensure_active(record)
    # The sending side: the resident's area health team, or the hospital that treats them
    # (a down-referral is sent by the hospital back to the resident's area).
    if not _acts_for(actor, from_institution):
        ensure_health_area(record.area_code)
    check_service_date(requested_on, record.person, field="requested_on")
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(_("请填写转诊原因。"), code="required")})
    icd10 = _check_icd10(diagnosis_icd10, field="diagnosis_icd10")
    up, down = (
        RANK[to_institution.level] > RANK[from_institution.level],
        RANK[to_institution.level] < RANK[from_institution.level],
    )
    if not (up or down):
        raise ValidationError(
            {
                "to_institution": ValidationError(
                    _("双向转诊须在不同级别的机构之间进行。"), code="same_level"
                )
            }
        )
    referral = Referral.objects.create(
        record=record,
        direction=ReferralDirection.UP if up else ReferralDirection.DOWN,
        from_institution=from_institution,
        to_institution=to_institution,
        reason=reason.strip()[:300],
        diagnosis_icd10=icd10,
        requested_on=requested_on,
        requested_by_id=actor.user_id,
    )
    Encounter.objects.create(
        record=record,
        kind=EncounterKind.REFERRAL,
        institution=from_institution,
        started_on=requested_on,
        diagnosis_icd10=icd10,
        summary=str(_("转诊至%(to)s：%(reason)s") % {"to": to_institution, "reason": reason})[:300],
        doctor=actor.name[:60],
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="health_referral",
        object_id=referral.pk,
        object_label=label(record),
        changes={"direction": referral.direction, "to": to_institution.pk},
    )
    return referral


def _acts_for(actor: Actor, institution: Institution) -> bool:
    return bool(actor.org_unit_code) and actor.org_unit_code == institution.pk


_NEXT = {
    "accept": ({ReferralStatus.REQUESTED}, ReferralStatus.ACCEPTED),
    "refuse": ({ReferralStatus.REQUESTED}, ReferralStatus.REFUSED),
    "complete": ({ReferralStatus.ACCEPTED}, ReferralStatus.COMPLETED),
}


@transaction.atomic
def respond_referral(
    *, actor: Actor, referral: Referral, action: str, note: str = "", on: dt.date | None = None
) -> Referral:
    """接收 / 拒绝 / 完成, by the receiving institution (the system may act for it)."""
    if action not in _NEXT:
        raise ValidationError({"action": ValidationError(_("操作无效。"), code="invalid_choice")})
    referral = Referral.unscoped.select_for_update().get(pk=referral.pk)
    if actor.user_id is not None and not _acts_for(actor, referral.to_institution):
        raise OutOfArea(_("只有接收机构可以处理该转诊。"))
    allowed, new = _NEXT[action]
    if referral.status not in allowed:
        raise ValidationError(
            _("转诊当前状态为“%(status)s”，不能执行该操作。")
            % {"status": referral.get_status_display()},
            code="bad_transition",
        )
    if action == "refuse" and not (note or "").strip():
        raise ValidationError({"note": ValidationError(_("拒绝须说明理由。"), code="required")})
    on = on or timezone.localdate()
    if on > timezone.localdate() or on < referral.requested_on:
        raise ValidationError({"on": ValidationError(_("日期无效。"), code="bad_date")})
    old = referral.status
    referral.status = new
    if action == "complete":
        referral.completed_on = on
    else:
        referral.responded_on = on
    if note:
        referral.response_note = note.strip()[:300]
    referral.save()
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="health_referral",
        object_id=referral.pk,
        object_label=referral.record.record_code,
        changes={"status": [old, new]},
    )
    return referral


@transaction.atomic
def withdraw_referral(*, actor: Actor, referral: Referral, reason: str, on: dt.date) -> Referral:
    """撤销 a referral not completed yet (the system's, on a life event): neither side works it
    any more. Sent referrals still count in the sending institution's rate."""
    referral = Referral.unscoped.select_for_update().get(pk=referral.pk)
    if referral.status not in PENDING_REFERRAL:
        raise ValidationError(
            _("转诊当前状态为“%(status)s”，不能执行该操作。")
            % {"status": referral.get_status_display()},
            code="bad_transition",
        )
    old = referral.status
    referral.status = ReferralStatus.CANCELLED
    referral.responded_on = referral.responded_on or max(on, referral.requested_on)
    referral.response_note = reason.strip()[:300]
    referral.save(update_fields=["status", "responded_on", "response_note"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="health_referral",
        object_id=referral.pk,
        object_label=referral.record.record_code,
        changes={"status": [old, ReferralStatus.CANCELLED], "reason": referral.response_note},
    )
    return referral


@dataclass(frozen=True)
class ReferralRate:
    institution: Institution
    referred: int
    visits: int
    limit: int | None

    @property
    def rate(self) -> float | None:
        return round(100 * self.referred / self.visits, 1) if self.visits else None

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.rate is not None and self.rate > self.limit


def referral_rates(*, start: dt.date, end: dt.date, institutions=None) -> list[ReferralRate]:
    """转诊率 = 本期上转人次（不含被拒绝）/ 本期门诊与住院人次 × 100%, per institution,
    against its level's ceiling (乡镇卫生院 ≤60%，中心卫生院 ≤50%，市级医院 ≤10%).

    Counted across areas on purpose (an institution's rate is about its own patients, whoever
    looks at it), so the queries use the unscoped managers and return counts only."""
    qs = Institution.objects.select_related("org_unit")
    if institutions is not None:
        qs = qs.filter(pk__in=[i.pk for i in institutions])
    referred = dict(
        Referral.unscoped.filter(requested_on__range=(start, end), direction=ReferralDirection.UP)
        .exclude(status=ReferralStatus.REFUSED)
        .values_list("from_institution")
        .annotate(n=Count("id"))
    )
    visits = dict(
        Encounter.unscoped.filter(
            Q(kind=EncounterKind.OUTPATIENT) | Q(kind=EncounterKind.INPATIENT),
            started_on__range=(start, end),
        )
        .values_list("institution")
        .annotate(n=Count("id"))
    )
    return [
        ReferralRate(i, referred.get(i.pk, 0), visits.get(i.pk, 0), i.referral_limit) for i in qs
    ]
