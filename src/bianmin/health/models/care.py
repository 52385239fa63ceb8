"""Institutions of the medical group, family-doctor teams and contracts, encounters, referrals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager
from bianmin.health.models.records import ICD10, HealthRecord, RecordScoped
from bianmin.health.models.scoping import area_q
from bianmin.registry.models import OrgUnit, Staff


class InstitutionLevel(models.TextChoices):
    """Levels of the medical group (医共体), lowest first; `LIMITS` holds the referral-rate
    ceilings set for three of them (seed 001: 乡镇卫生院转诊率不超过60%，中心卫生院不超过50%，
    市级医院不超过10%)."""

    STATION = "station", _("村卫生室（社区卫生服务站）")
    TOWNSHIP = "township", _("乡镇卫生院（社区卫生服务中心）")
    CENTRAL = "central", _("中心卫生院")
    DISTRICT = "district", _("区级医院")
    CITY = "city", _("市级医院")


RANK = {level: i for i, level in enumerate(InstitutionLevel.values)}
REFERRAL_LIMITS = {
    InstitutionLevel.TOWNSHIP: 60,
    InstitutionLevel.CENTRAL: 50,
    InstitutionLevel.CITY: 10,
}


class Institution(models.Model):
    """A health institution: the health side of an `OrgUnit` (kind 医疗卫生机构)."""

    org_unit = models.OneToOneField(
        OrgUnit,
        primary_key=True,
        verbose_name=_("机构"),
        on_delete=models.PROTECT,
        related_name="health_institution",
    )
    level = models.CharField(_("机构级别"), max_length=10, choices=InstitutionLevel.choices)
    area_code = models.CharField(_("服务区域"), max_length=14, db_index=True)

    class Meta:
        verbose_name = _("医疗卫生机构")
        verbose_name_plural = _("医疗卫生机构")
        ordering = ["org_unit_id"]

    def __str__(self) -> str:
        return self.org_unit.name

    @property
    def rank(self) -> int:
        return RANK[self.level]

    @property
    def referral_limit(self) -> int | None:
        return REFERRAL_LIMITS.get(self.level)


class FamilyDoctorTeam(models.Model):
    institution = models.ForeignKey(
        Institution, verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("团队名称"), max_length=60)
    area_code = models.CharField(_("服务区域"), max_length=14, db_index=True)
    leader = models.ForeignKey(
        Staff,
        verbose_name=_("团队长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        Staff, verbose_name=_("成员"), related_name="health_teams", blank=True
    )

    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("家庭医生团队")
        verbose_name_plural = _("家庭医生团队")
        ordering = ["area_code", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope):
        return area_q(scope, "area_code")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("履约中")
    ENDED = "ended", _("已解约")


class Contract(RecordScoped):
    """家庭医生签约服务: one running contract per resident at a time."""

    record = models.ForeignKey(
        HealthRecord, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="contracts"
    )
    team = models.ForeignKey(
        FamilyDoctorTeam, verbose_name=_("签约团队"), on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(_("签约日期"))
    starts_on = models.DateField(_("服务开始"))
    ends_on = models.DateField(_("服务结束"))
    package = models.CharField(_("服务包"), max_length=60, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    ended_reason = models.CharField(_("解约原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("家庭医生签约")
        verbose_name_plural = _("家庭医生签约")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(status="active"),
                name="health_one_active_contract",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} → {self.team_id}"


class EncounterKind(models.TextChoices):
    OUTPATIENT = "outpatient", _("门诊")
    INPATIENT = "inpatient", _("住院")
    REFERRAL = "referral", _("转诊")
    CONSULTATION = "consultation", _("会诊")


class Encounter(RecordScoped):
    """其他医疗卫生服务记录: an outpatient visit, a stay, a referral or consultation note."""

    record = models.ForeignKey(
        HealthRecord, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="encounters"
    )
    kind = models.CharField(_("类型"), max_length=14, choices=EncounterKind.choices)
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="encounters"
    )
    started_on = models.DateField(_("就诊（入院）日期"), db_index=True)
    ended_on = models.DateField(_("出院日期"), null=True, blank=True)
    diagnosis_icd10 = models.CharField(_("诊断编码"), max_length=8, blank=True, validators=[ICD10])
    diagnosis_name = models.CharField(_("诊断"), max_length=100, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    doctor = models.CharField(_("接诊医生"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("就诊记录")
        verbose_name_plural = _("就诊记录")
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["institution", "started_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"


class ReferralDirection(models.TextChoices):
    UP = "up", _("上转")
    DOWN = "down", _("下转")


class ReferralStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    ACCEPTED = "accepted", _("已接收")
    COMPLETED = "completed", _("已完成")
    REFUSED = "refused", _("已拒绝")
    # Ended by the platform before completion: the patient died (a life event).
    CANCELLED = "cancelled", _("已撤销")


PENDING_REFERRAL = (ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED)


class Referral(models.Model):
    """双向转诊. Seen by the health team of the resident's area and by the receiving
    institution's staff (who must accept it without having the resident in their area)."""

    record = models.ForeignKey(
        HealthRecord, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="referrals"
    )
    direction = models.CharField(_("方向"), max_length=4, choices=ReferralDirection.choices)
    from_institution = models.ForeignKey(
        Institution, verbose_name=_("转出机构"), on_delete=models.PROTECT, related_name="+"
    )
    to_institution = models.ForeignKey(
        Institution, verbose_name=_("接收机构"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("转诊原因"), max_length=300)
    diagnosis_icd10 = models.CharField(_("初步诊断编码"), max_length=8, validators=[ICD10])
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ReferralStatus.choices,
        default=ReferralStatus.REQUESTED,
        db_index=True,
    )
    requested_on = models.DateField(_("转出日期"), db_index=True)
    responded_on = models.DateField(_("接收（拒绝）日期"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    response_note = models.CharField(_("处理意见"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("双向转诊")
        verbose_name_plural = _("双向转诊")
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["from_institution", "requested_on"])]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.record_id}"

    @classmethod
    def scope_q(cls, scope):
        own = area_q(scope, "record__area_code")
        if scope.org_unit_code:
            return own | models.Q(to_institution_id=scope.org_unit_code)
        return own
