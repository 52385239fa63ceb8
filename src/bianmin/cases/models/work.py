"""What happens to a case: materials on file, reviews by departments, events, visits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models.case import Case, CaseStatus


class MaterialSource(models.TextChoices):
    SUBMITTED = "submitted", _("申请人提交")
    SHARED = "shared", _("数据共享获取")


class CaseMaterial(models.Model):
    """A material on file for a case: handed in, or to be fetched from shared data."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="materials"
    )
    material = models.ForeignKey(
        "catalog.Material",
        verbose_name=_("材料"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.SlugField(_("材料代码"), max_length=40)
    name = models.CharField(_("材料名称"), max_length=200)
    source = models.CharField(_("来源"), max_length=10, choices=MaterialSource.choices)
    form = models.CharField(_("提交形式"), max_length=12, blank=True)
    received_at = models.DateTimeField(_("收取时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="uniq_case_material"),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewStatus(models.TextChoices):
    WAITING = "waiting", _("未开始")  # a later parallel group
    OPEN = "open", _("待审查")
    RETURNED = "returned", _("退回补正")
    APPROVED = "approved", _("审查通过")
    REJECTED = "rejected", _("审查不通过")
    SKIPPED = "skipped", _("无需审查")  # a later group after a rejection


REVIEW_DONE = frozenset({ReviewStatus.APPROVED, ReviewStatus.REJECTED, ReviewStatus.SKIPPED})


class Review(models.Model):
    """One department's review of a case (one review step of the item's process). Reviews
    with the same parallel group run side by side (并联审批)."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="reviews"
    )
    step = models.ForeignKey(
        "catalog.ProcessStep",
        verbose_name=_("环节"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("环节名称"), max_length=100)
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("审查部门"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    parallel_group = models.PositiveSmallIntegerField(_("并联组"))
    seq = models.PositiveSmallIntegerField(_("序号"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.WAITING
    )
    assignee = models.ForeignKey(
        "registry.Staff",
        verbose_name=_("承办人（A岗）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_reviews",
    )
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    acted_by = models.ForeignKey(
        "registry.Staff",
        verbose_name=_("审查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acted_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    opinion = models.TextField(_("审查意见"), blank=True)

    class Meta:
        verbose_name = _("部门审查")
        verbose_name_plural = _("部门审查")
        ordering = ["case", "parallel_group", "seq", "id"]
        indexes = [models.Index(fields=["department", "status"], name="review_dept_status")]

    def __str__(self) -> str:
        return f"{self.name}（{self.department_id}）"

    @property
    def done(self) -> bool:
        return self.status in REVIEW_DONE


class EventAction(models.TextChoices):
    SUBMITTED = "submitted", _("网上申报")
    ACCEPTED = "accepted", _("受理")
    RETURNED = "returned", _("补正告知")
    RESUBMITTED = "resubmitted", _("补正材料")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    REVIEW_APPROVED = "review_approved", _("审查通过")
    REVIEW_RETURNED = "review_returned", _("审查退回补正")
    REVIEW_REJECTED = "review_rejected", _("审查不通过")
    REVIEW_ASSIGNED = "review_assigned", _("指定承办人")
    DECIDED = "decided", _("作出决定")
    SUSPENDED = "suspended", _("特别程序（暂停计时）")
    RESUMED = "resumed", _("恢复计时")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENDED = "extended", _("批准延期")
    EXTENSION_REFUSED = "extension_refused", _("不批准延期")
    PLEDGE_FULFILLED = "pledge_fulfilled", _("容缺材料补齐")
    DELIVERED = "delivered", _("结果送达")
    CLOSED = "closed", _("办结")
    TERMINATED = "terminated", _("终止")
    VISIT = "visit", _("到现场")
    WARNING = "warning", _("预警变化")
    DUE_CORRECTED = "due_corrected", _("办结日期校正")


class CaseEvent(models.Model):
    """The history of a case: every transition, written in the transaction that made it."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    action = models.CharField(_("事件"), max_length=20, choices=EventAction.choices)
    from_status = models.CharField(_("原状态"), max_length=14, choices=CaseStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=14, choices=CaseStatus.choices)
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
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Visit(models.Model):
    """An on-site visit by the applicant (跑动次数, 最多跑一次)."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="visits"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    purpose = models.CharField(_("事由"), max_length=100)
    org_unit = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("到现场记录")
        verbose_name_plural = _("到现场记录")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.purpose}"
