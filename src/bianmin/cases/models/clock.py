"""The clock of a case (限时办结): pauses, extensions, deficiency pledges; and staff absences
(AB岗), which decide who may act on a review today."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models.case import Case


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("补正材料")
    HEARING = "hearing", _("听证")
    INSPECTION = "inspection", _("现场勘查")
    TESTING = "testing", _("检验检测")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    PUBLIC_NOTICE = "public_notice", _("公示")


SPECIAL_PROCEDURES = frozenset(set(PauseKind) - {PauseKind.SUPPLEMENT})


class ClockPause(models.Model):
    """A span during which the time limit does not run. Its working days in
    (started_on, ended_on] are added to the due date when it ends."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="pauses"
    )
    kind = models.CharField(_("类型"), max_length=14, choices=PauseKind.choices)
    reason = models.TextField(_("事由"), blank=True)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    workdays = models.PositiveIntegerField(_("暂停工作日数"), null=True, blank=True)
    # A pause before acceptance (补正 at intake) is recorded but moves no due date: the time
    # limit only starts at acceptance (《行政许可法》第三十二条、第四十二条).
    counts = models.BooleanField(_("计入期限调整"), default=True)
    review = models.ForeignKey(
        "cases.Review",
        verbose_name=_("退回的审查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        ordering = ["case", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="one_open_pause_per_case"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="pause_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}–{self.ended_on or ''}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不批准")


class Extension(models.Model):
    """延期: asked for by the handling staff, approved by a supervisor who is someone else."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="extensions"
    )
    workdays = models.PositiveSmallIntegerField(_("延长工作日数"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        "registry.Staff", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    approver = models.ForeignKey(
        "registry.Staff",
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    note = models.TextField(_("审批意见"), blank=True)
    due_before = models.DateField(_("原办结日期"), null=True, blank=True)
    due_after = models.DateField(_("新办结日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["case", "requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=F("requested_by")),
                name="extension_approver_is_not_requester",
            ),
            models.CheckConstraint(condition=Q(workdays__gte=1), name="extension_at_least_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.workdays}"


class DeficiencyPledge(models.Model):
    """容缺受理: accepted with non-essential materials missing against the applicant's written
    pledge (承诺书) to bring them by `due_date`. Open until every listed material is in."""

    case = models.OneToOneField(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="pledge"
    )
    materials = models.JSONField(_("承诺补交材料"), default=list)  # [{"code", "name"}]
    due_date = models.DateField(_("承诺补交日期"))
    signed_at = models.DateTimeField(_("签署时间"), default=timezone.now)
    fulfilled_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("容缺承诺")
        verbose_name_plural = _("容缺承诺")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["fulfilled_at", "due_date"], name="pledge_open_due")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.due_date}"

    def is_overdue(self, today) -> bool:
        return self.fulfilled_at is None and self.due_date < today


class StaffAbsence(models.Model):
    """A staff member away (leave, training, business trip) from `start` to `end` inclusive.
    While away, their B岗 (`Staff.backup`) sees and acts on their assigned reviews."""

    staff = models.ForeignKey(
        "registry.Staff", verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人员缺岗")
        verbose_name_plural = _("人员缺岗")
        ordering = ["-start"]
        indexes = [models.Index(fields=["staff", "start", "end"], name="absence_staff_span")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="absence_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.start}–{self.end}"
