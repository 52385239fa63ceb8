"""A case (办件): one application for one service item, from intake to closure."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import Scope, ScopedManager


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已申报，待预审")
    RETURNED = "returned", _("补正中")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ACCEPTED = "accepted", _("已受理")
    IN_REVIEW = "in_review", _("审查中")
    DECIDED = "decided", _("已作出决定")
    DELIVERED = "delivered", _("结果已送达")
    CLOSED = "closed", _("已办结")
    TERMINATED = "terminated", _("已终止")


# Before acceptance: no case number promise, no due date.
PRE_ACCEPTANCE = frozenset({CaseStatus.SUBMITTED, CaseStatus.RETURNED})
# States in which the time limit is running (or paused) and the sweep watches the due date.
CLOCK_STATES = frozenset(
    {
        CaseStatus.ACCEPTED,
        CaseStatus.IN_REVIEW,
        CaseStatus.RETURNED,
        CaseStatus.DECIDED,
        CaseStatus.DELIVERED,
    }
)
FINAL_STATES = frozenset({CaseStatus.NOT_ACCEPTED, CaseStatus.CLOSED, CaseStatus.TERMINATED})
OPEN_STATES = frozenset(set(CaseStatus) - FINAL_STATES)


class IntakeChannel(models.TextChoices):
    WINDOW = "window", _("窗口受理")
    AGENT = "agent", _("代办员代办")
    ONLINE = "online", _("网上申报")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("书面委托")
    SMS = "sms", _("短信确认")


class WarningLevel(models.TextChoices):
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("黄灯预警")
    RED = "red", _("红灯超期")


class Decision(models.TextChoices):
    APPROVED = "approved", _("准予")
    DENIED = "denied", _("不予")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")


class ApplicantType(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人")


class BundleApplication(models.Model):
    """多证联办: one application for a Bundle. Each of its items is its own `Case` (own
    department, own time limit, own decision); this row ties them to one number and one
    acceptance notice."""

    bundle_no = models.CharField(_("联办编号"), max_length=20, unique=True)
    bundle = models.ForeignKey(
        "catalog.Bundle", verbose_name=_("联办事项"), on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField(_("申请人"), max_length=200)
    area_code = models.CharField(_("受理中心区划"), max_length=14, db_index=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("联办申请")
        verbose_name_plural = _("联办申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.bundle_no


class Case(models.Model):
    case_no = models.CharField(_("办件编号"), max_length=20, unique=True)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("事项（版本）"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    bundle_application = models.ForeignKey(
        BundleApplication,
        verbose_name=_("联办申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        _("状态"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )

    # Applicant: a person (人口库) or an organisation (法人库). Name and masked number are a
    # snapshot for lists; the ID number itself is never stored here.
    applicant_type = models.CharField(_("申请人类型"), max_length=12, choices=ApplicantType.choices)
    applicant_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("申请人（自然人）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant_org = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("申请人（法人）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant_name = models.CharField(_("申请人"), max_length=200)
    applicant_id_masked = models.CharField(_("证件号码"), max_length=18)
    applicant_last4 = models.CharField(_("证件号后四位"), max_length=4, db_index=True)
    applicant_area_code = models.CharField(_("申请人所在区划"), max_length=14, db_index=True)

    # Where and how it came in.
    channel = models.CharField(_("申请渠道"), max_length=8, choices=IntakeChannel.choices)
    org_unit = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("受理单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    area_code = models.CharField(_("受理中心区划"), max_length=14, db_index=True)
    agent = models.ForeignKey(
        "registry.Staff",
        verbose_name=_("代办员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_cases",
    )
    consent_method = models.CharField(
        _("委托方式"), max_length=8, choices=ConsentMethod.choices, blank=True
    )
    consent_at = models.DateTimeField(_("委托确认时间"), null=True, blank=True)
    submitted_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("网上申报账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    # Time limit (限时办结). due_date = the promised_days + paused + extended working days
    # after accepted_on; see services/deadlines.py.
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), default=0)
    paused_workdays = models.PositiveIntegerField(_("暂停计时（工作日）"), default=0)
    extended_workdays = models.PositiveIntegerField(_("延期（工作日）"), default=0)
    paused_since = models.DateField(_("暂停计时起"), null=True, blank=True)
    due_date = models.DateField(_("承诺办结日期"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(
        _("办结日期待定"),
        default=False,
        help_text=_("期限跨越工作日历尚未覆盖的年度，日期按周一至周五推算，待日历发布后校正"),
    )
    warning_level = models.CharField(
        _("预警"), max_length=6, choices=WarningLevel.choices, default=WarningLevel.GREEN
    )
    warning_changed_at = models.DateTimeField(_("预警变更时间"), null=True, blank=True)

    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(_("决定理由"), blank=True)
    # What the approval established beyond "准予" (cases/results.py): e.g. the category and
    # grade of a first 残疾人证's assessment.
    decision_result = models.JSONField(_("决定内容"), default=dict, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    delivery_method = models.CharField(
        _("送达方式"), max_length=10, choices=DeliveryMethod.choices, blank=True
    )
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True, db_index=True)
    # Counted by the one service that records visits, so "over the limit" is a plain filter.
    visit_count = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "warning_level"], name="case_status_warning"),
            models.Index(fields=["-submitted_at", "-id"], name="case_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(applicant_person__isnull=False) | Q(applicant_org__isnull=False),
                name="case_has_applicant",
            ),
            models.CheckConstraint(
                condition=~Q(channel="agent") | Q(agent__isnull=False, consent_at__isnull=False),
                name="agent_case_has_agent_and_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.case_no

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Who sees a case (docs/cases.md): staff of the accepting centre's area and of the
        applicant's area; department-bound staff (reviewers) only the cases their department
        handles — the item's department or a review for it — within that area."""
        prefix = scope.area_prefix or ""
        area = Q(area_code__startswith=prefix) | Q(applicant_area_code__startswith=prefix)
        if not prefix:
            area = Q()
        if not scope.department_code:
            return area
        from bianmin.cases.models.work import Review

        reviewed = Exists(
            Review.objects.filter(case=OuterRef("pk"), department_id=scope.department_code)
        )
        return area & (Q(item__department_id=scope.department_code) | Q(reviewed))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def clock_paused(self) -> bool:
        return self.paused_since is not None

    def pledge_open(self) -> bool:
        from bianmin.cases.models.clock import DeficiencyPledge

        return DeficiencyPledge.objects.filter(case=self, fulfilled_at__isnull=True).exists()


class CaseNumberCounter(models.Model):
    """SQLite only: the counter behind case numbers. PostgreSQL uses a real sequence (see
    `cases.numbering`)."""

    name = models.CharField(max_length=20, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
