"""好差评: the applicant's rating of a closed case, and of the window staff who served them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager


class RatingLevel(models.IntegerChoices):
    """The five levels of the national 好差评 system. 3 and above count as satisfied."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# 差评: the levels that open a rectification task.
BAD_LEVELS = frozenset({RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED})
SATISFIED_LEVELS = frozenset(
    {RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED, RatingLevel.FAIRLY_SATISFIED}
)


class RatingChannel(models.TextChoices):
    WINDOW_DEVICE = "window_device", _("窗口评价器")
    PORTAL = "portal", _("网上（门户）")
    SMS = "sms", _("短信")


class Rating(models.Model):
    """One rating per case (一次办事一次评价): the national rule rates the service event once,
    whatever the channel. The staff who served the applicant are rated in `StaffRating` rows
    of the same submission."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="rating"
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=RatingLevel.choices)
    comment = models.TextField(_("评价意见"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=14, choices=RatingChannel.choices)
    rater_name = models.CharField(_("评价人"), max_length=200)
    # A village agent who entered the rating for the applicant (代办员代为评价), on record.
    agent = models.ForeignKey(
        "registry.Staff",
        verbose_name=_("代为评价的代办员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Snapshots of the case, so the monthly figures are plain grouped queries.
    org_unit = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("受理单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("办理部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_code = models.CharField(_("受理中心区划"), max_length=14, db_index=True)
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now)
    rated_on = models.DateField(_("评价日期"), db_index=True)

    objects = ScopedManager()
    unscoped = models.Manager()
    scope_area_field = "area_code"

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="rating_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class StaffRating(models.Model):
    """The rating of one window staff member for one case: the clerk who accepted it and the
    one who delivered the result (one row when the same person did both)."""

    rating = models.ForeignKey(
        Rating, verbose_name=_("服务评价"), on_delete=models.CASCADE, related_name="staff_ratings"
    )
    staff = models.ForeignKey(
        "registry.Staff", verbose_name=_("被评价人"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=RatingLevel.choices)
    accepted = models.BooleanField(_("受理人"), default=False)
    delivered = models.BooleanField(_("送达人"), default=False)
    # The staff member's own unit (the window) at the time, and the month: grouped without joins.
    org_unit = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_code = models.CharField(_("受理中心区划"), max_length=14, db_index=True)
    rated_on = models.DateField(_("评价日期"), db_index=True)

    objects = ScopedManager()
    unscoped = models.Manager()
    scope_area_field = "area_code"

    class Meta:
        verbose_name = _("窗口人员评价")
        verbose_name_plural = _("窗口人员评价")
        ordering = ["rating", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rating", "staff"], name="uniq_staff_rating"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="staff_rating_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.get_level_display()}"
