"""Monthly star ratings of the town/street 365 centres and the village/community centres
(seed 001): five dimensions, each scored from the centre's self-assessment, the system's own
figures, the month's 明察暗访 and the residents' ratings (docs/ratings.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager
from bianmin.registry.models import OrgUnit


class Dimension(models.TextChoices):
    DEDICATION = "dedication", _("爱岗敬业")
    CONDUCT = "conduct", _("办件规范")
    SERVICE = "service", _("服务优质")
    INTEGRITY = "integrity", _("廉洁自律")
    SATISFACTION = "satisfaction", _("群众满意")


class ScopedByCentre(models.Model):
    # The centre's division prefix, copied at write time so scoping is one indexed prefix match.
    area_code = models.CharField(_("区划"), max_length=14, db_index=True)

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        abstract = True


class SelfAssessment(ScopedByCentre):
    """A centre's own summary of the month, due by the 30th (the last day in February)."""

    centre = models.ForeignKey(
        OrgUnit, verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.CharField(_("月份"), max_length=7)
    scores = models.JSONField(_("各项自评分"), default=dict)
    notes = models.JSONField(_("各项自评说明"), default=dict)
    submitted_by = models.CharField(_("报送人"), max_length=60)
    submitted_at = models.DateTimeField(_("报送时间"))

    class Meta:
        verbose_name = _("月度自评")
        verbose_name_plural = _("月度自评")
        constraints = [
            models.UniqueConstraint(fields=["centre", "month"], name="ratings_self_once")
        ]

    def __str__(self) -> str:
        return f"{self.centre.name} {self.month}"


class Inspection(ScopedByCentre):
    """明察暗访: what a supervisor found at a centre, with deductions per dimension."""

    class Mode(models.TextChoices):
        OPEN = "open", _("明察")
        COVERT = "covert", _("暗访")

    centre = models.ForeignKey(
        OrgUnit, verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField(_("检查日期"))
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices)
    supervisor = models.CharField(_("检查人"), max_length=60)
    findings = models.TextField(_("发现问题"))
    deductions = models.JSONField(_("各项扣分"), default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("明察暗访")
        verbose_name_plural = _("明察暗访")
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.centre.name} {self.inspected_on}"

    @property
    def total_deduction(self):
        from decimal import Decimal

        return sum((Decimal(str(v)) for v in self.deductions.values()), Decimal(0))


class MonthlyRating(ScopedByCentre):
    """The month's result for one centre; `published_at` locks it."""

    centre = models.ForeignKey(
        OrgUnit, verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.CharField(_("月份"), max_length=7, db_index=True)
    scores = models.JSONField(_("各项得分"), default=dict)
    # Per dimension: where its figure came from (self / system / none) and the raw figures.
    sources = models.JSONField(_("得分来源"), default=dict)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=1)
    stars = models.PositiveSmallIntegerField(_("星级"))
    computed_at = models.DateTimeField(_("评定时间"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度星级")
        verbose_name_plural = _("月度星级")
        ordering = ["month", "centre_id"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "month"], name="ratings_month_once"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="ratings_stars_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre.name} {self.month} {self.stars}★"

    @property
    def locked(self) -> bool:
        return self.published_at is not None


class YearNotice(ScopedByCentre):
    """A centre on the year's reward list or warned (with a rectification deadline)."""

    class Kind(models.TextChoices):
        REWARD = "reward", _("奖励")
        WARNING = "warning", _("警告")

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        RECTIFIED = "rectified", _("已整改")
        NONE = "none", _("无需整改")

    centre = models.ForeignKey(
        OrgUnit, verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    months = models.PositiveSmallIntegerField(_("月数"))
    issued_on = models.DateField(_("下发日期"))
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    # Kept so a guessed deadline can be recomputed once its year's calendar is published,
    # even if the configured number of days has changed since.
    rectify_workdays = models.PositiveSmallIntegerField(
        _("整改时限（工作日）"), null=True, blank=True
    )
    deadline_provisional = models.BooleanField(
        _("期限待定"),
        default=False,
        help_text=_("期限跨越工作日历尚未覆盖的年度，日期按周一至周五推算，待日历发布后校正"),
    )
    status = models.CharField(_("整改情况"), max_length=10, choices=Status.choices)
    follow_up = models.TextField(_("整改情况说明"), blank=True)
    closed_on = models.DateField(_("整改完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度奖励与警告")
        verbose_name_plural = _("年度奖励与警告")
        ordering = ["year", "kind", "centre_id"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "year", "kind"], name="ratings_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.centre.name} {self.year} {self.get_kind_display()}"

    def overdue_on(self, day) -> bool:
        """A warning still open after its deadline (shown as 逾期未整改)."""
        return bool(self.status == self.Status.OPEN and self.deadline and day > self.deadline)
