"""The follow-up loop a bad review (差评整改) and a complaint (投诉) both go through:

    verify (核实) → act (整改 / 处理) → answer (答复申请人) → feedback (回访) → closed (办结)

A verification that finds the matter unfounded skips `act`. An unsatisfied applicant starts a
second round (back to `verify`, with fresh time limits); unsatisfied again after the second
round, the matter goes up to the city supervisors (`escalated`), who close it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import Scope, ScopedManager


class Stage:
    VERIFY = "verify"
    ACT = "act"
    ANSWER = "answer"
    FEEDBACK = "feedback"
    ESCALATED = "escalated"
    CLOSED = "closed"


# Stages in which the time limit is running: the answer is not out yet.
RUNNING = (Stage.VERIFY, Stage.ACT, Stage.ANSWER)
OPEN = (*RUNNING, Stage.FEEDBACK, Stage.ESCALATED)
MAX_ROUNDS = 2


class RectificationStatus(models.TextChoices):
    VERIFY = Stage.VERIFY, _("待核实")
    ACT = Stage.ACT, _("待整改")
    ANSWER = Stage.ANSWER, _("待答复")
    FEEDBACK = Stage.FEEDBACK, _("已答复，待回访")
    ESCALATED = Stage.ESCALATED, _("已提级督办")
    CLOSED = Stage.CLOSED, _("已办结")


class ComplaintStatus(models.TextChoices):
    VERIFY = Stage.VERIFY, _("已受理，待核实")
    ACT = Stage.ACT, _("待处理")
    ANSWER = Stage.ANSWER, _("待答复")
    FEEDBACK = Stage.FEEDBACK, _("已答复，待回访")
    ESCALATED = Stage.ESCALATED, _("已提级督办")
    CLOSED = Stage.CLOSED, _("已办结")


def overdue_q(today: dt.date, prefix: str = "") -> Q:
    """超期: a stage finished after its deadline (`late`), or an unanswered one past it now.
    `prefix` reaches the loop through a relation ("task__")."""

    def q(**kw) -> Q:
        return Q(**{f"{prefix}{k}": v for k, v in kw.items()})

    return (
        q(late=True)
        | q(status=Stage.VERIFY, verify_due__lt=today)
        | q(status__in=RUNNING, due_date__lt=today)
    )


class FollowUp(models.Model):
    """What a rectification task and a complaint share: the stage, the round, the deadlines
    and where it belongs (scope)."""

    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    founded = models.BooleanField(_("核实属实"), null=True, blank=True)
    satisfied = models.BooleanField(_("申请人满意"), null=True, blank=True)
    org_unit = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)
    opened_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    opened_on = models.DateField(_("开始日期"), db_index=True)
    # Both counted in working days from the start of the current round. The start and the
    # day counts are kept so a guessed (provisional) deadline can be recomputed once its year's
    # calendar is published, even if the configured limits have changed since.
    round_started_on = models.DateField(_("本轮开始日期"), null=True, blank=True)
    verify_workdays = models.PositiveSmallIntegerField(_("核实时限（工作日）"), null=True)
    answer_workdays = models.PositiveSmallIntegerField(_("答复时限（工作日）"), null=True)
    verify_due = models.DateField(_("核实期限"))
    due_date = models.DateField(_("答复期限"), db_index=True)
    due_provisional = models.BooleanField(
        _("期限待定"),
        default=False,
        help_text=_("期限跨越工作日历尚未覆盖的年度，日期按周一至周五推算，待日历发布后校正"),
    )
    late = models.BooleanField(
        _("超期"), default=False, help_text=_("有环节在期限之后才完成（任一轮次）")
    )
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("提级督办时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Staff of the responsible area see it; department-bound staff (reviewers) only
        what concerns their department."""
        area = Q(area_code__startswith=scope.area_prefix) if scope.area_prefix else Q()
        if scope.department_code:
            return area & Q(department_id=scope.department_code)
        return area

    @property
    def is_open(self) -> bool:
        return self.status != Stage.CLOSED

    def overdue_on(self, today: dt.date) -> bool:
        if self.late:
            return True
        if self.status == Stage.VERIFY and self.verify_due < today:
            return True
        return self.status in RUNNING and self.due_date < today


class RectificationTask(FollowUp):
    """差评整改: opened in the transaction that stores a bad rating."""

    rating = models.OneToOneField(
        "evaluation.Rating", verbose_name=_("差评"), on_delete=models.PROTECT, related_name="task"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=Stage.VERIFY,
    )

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"], name="rectify_status_due")]

    def __str__(self) -> str:
        return f"ZG{self.pk:06d}" if self.pk else "ZG"

    @property
    def number(self) -> str:
        return str(self)


class ComplaintChannel(models.TextChoices):
    PORTAL = "portal", _("网上投诉")
    PHONE = "phone", _("电话投诉")
    WINDOW = "window", _("窗口投诉")


class ComplaintSubject(models.TextChoices):
    CASE = "case", _("办件")
    STAFF = "staff", _("工作人员")
    ORG_UNIT = "org_unit", _("服务单位")
    GENERAL = "general", _("其他")


class Complaint(FollowUp):
    """投诉: from a resident about a case, a staff member, a unit, or in general."""

    complaint_no = models.CharField(_("投诉编号"), max_length=20, unique=True, null=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ComplaintStatus.choices, default=Stage.VERIFY
    )
    channel = models.CharField(_("投诉渠道"), max_length=8, choices=ComplaintChannel.choices)
    complainant_name = models.CharField(_("投诉人"), max_length=100)
    complainant_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("投诉人（人口库）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Where the answer goes by SMS; shown masked.
    complainant_phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    subject_kind = models.CharField(
        _("投诉对象类型"), max_length=10, choices=ComplaintSubject.choices
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("所涉办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        "registry.Staff",
        verbose_name=_("被投诉人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("投诉内容"))
    # Same complainant + same subject: a second submission within minutes is the first one.
    dedupe_key = models.CharField(max_length=64, db_index=True)
    received_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"], name="complaint_status_due")]

    def __str__(self) -> str:
        return self.complaint_no or ""

    @property
    def number(self) -> str:
        return self.complaint_no or ""

    @property
    def phone_masked(self) -> str:
        from bianmin.core.masking import mask_phone

        return mask_phone(self.complainant_phone)


class StepAction(models.TextChoices):
    OPENED = "opened", _("登记")
    VERIFIED = "verified", _("核实")
    ACTED = "acted", _("整改（处理）")
    ANSWERED = "answered", _("答复申请人")
    SATISFIED = "satisfied", _("回访：满意")
    NO_REPLY = "no_reply", _("回访：未表态")
    UNSATISFIED = "unsatisfied", _("回访：不满意")
    ESCALATED = "escalated", _("提级督办")
    RESOLVED = "resolved", _("督办办结")
    DUE_CORRECTED = "due_corrected", _("期限校正")


class LoopStep(models.Model):
    """The history of a task or a complaint: who did which stage, when, with what notes."""

    task = models.ForeignKey(
        RectificationTask,
        verbose_name=_("差评整改"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="steps",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("投诉"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="steps",
    )
    round = models.PositiveSmallIntegerField(_("轮次"))
    action = models.CharField(_("环节"), max_length=16, choices=StepAction.choices)
    from_status = models.CharField(_("原状态"), max_length=10)
    to_status = models.CharField(_("新状态"), max_length=10)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    org_unit_code = models.CharField(_("操作单位"), max_length=40, blank=True)
    notes = models.TextField(_("说明"), blank=True)
    late = models.BooleanField(_("超期完成"), default=False)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=False, complaint__isnull=True)
                | Q(task__isnull=True, complaint__isnull=False),
                name="loop_step_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.actor_name}"
