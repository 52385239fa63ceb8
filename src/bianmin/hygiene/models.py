"""公共场所卫生监督量化分级 (seed 004 篇7, 卫生部 2005 试点方案): places, the scoring sheet of
each type of place, inspections graded A/B/C/差, and the inspection calendar the grades give."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager
from bianmin.registry.models import Organisation


class PlaceType(models.TextChoices):
    HOTEL = "hotel", _("宾馆、旅店")
    SALON = "salon", _("美容美发")
    BATH = "bath", _("公共浴室")
    POOL = "pool", _("游泳场所")
    MALL = "mall", _("商场、超市")
    CINEMA = "cinema", _("影剧院")
    WAITING = "waiting", _("候车（机、船）室")


class Grade(models.TextChoices):
    A = "A", _("A级（优秀）")
    B = "B", _("B级（良好）")
    C = "C", _("C级（合格）")
    POOR = "P", _("差")


class Area(models.Model):
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        abstract = True


class PublicPlace(Area):
    name = models.CharField(_("场所名称"), max_length=120)
    place_type = models.CharField(_("场所类别"), max_length=10, choices=PlaceType.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("经营单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    operator_name = models.CharField(_("经营单位名称"), max_length=200)
    licence_no = models.CharField(_("卫生许可证号"), max_length=40, blank=True)
    address = models.CharField(_("地址"), max_length=200)
    active = models.BooleanField(_("在营"), default=True)
    # The latest inspection's result, kept here for the lists and the public page.
    grade = models.CharField(_("当前等级"), max_length=1, choices=Grade.choices, blank=True)
    last_inspected_on = models.DateField(_("最近检查日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("公共场所")
        verbose_name_plural = _("公共场所")
        ordering = ["area_code", "name"]

    def __str__(self) -> str:
        return self.name


class ScoringSheet(models.Model):
    """量化评分表 of one type of place (reference data, loaded by a data migration)."""

    place_type = models.CharField(
        _("场所类别"), max_length=10, choices=PlaceType.choices, unique=True
    )
    title = models.CharField(_("评分表名称"), max_length=120)

    class Meta:
        verbose_name = _("量化评分表")
        verbose_name_plural = _("量化评分表")
        ordering = ["place_type"]

    def __str__(self) -> str:
        return self.title


class SheetItem(models.Model):
    sheet = models.ForeignKey(
        ScoringSheet, verbose_name=_("评分表"), on_delete=models.CASCADE, related_name="items"
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    category = models.CharField(_("监督项目"), max_length=40)
    content = models.CharField(_("检查内容"), max_length=200)
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    weight = models.DecimalField(_("权重"), max_digits=4, decimal_places=2, default=1)
    key = models.BooleanField(_("关键项目（※）"), default=False)

    class Meta:
        verbose_name = _("评分项目")
        verbose_name_plural = _("评分项目")
        ordering = ["sheet", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "seq"], name="hygiene_item_seq"),
            models.CheckConstraint(condition=models.Q(max_points__gt=0), name="hygiene_item_max"),
        ]

    def __str__(self) -> str:
        return f"{'※' if self.key else ''}{self.content}"


class Inspection(Area):
    place = models.ForeignKey(
        PublicPlace, verbose_name=_("场所"), on_delete=models.PROTECT, related_name="inspections"
    )
    inspected_on = models.DateField(_("检查日期"))
    inspectors = models.CharField(_("卫生监督员"), max_length=120)
    # {item id: points}; key items failed: [item id, …].
    scores = models.JSONField(_("各项得分"), default=dict)
    key_failed = models.JSONField(_("不合格的关键项目"), default=list)
    total = models.DecimalField(_("标化总分"), max_digits=4, decimal_places=1)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    notes = models.TextField(_("检查意见"), blank=True)
    rectify_by = models.DateField(_("限期整改日期"), null=True, blank=True)
    # Kept so a guessed date can be recomputed once its year's calendar is published.
    rectify_workdays = models.PositiveSmallIntegerField(
        _("整改时限（工作日）"), null=True, blank=True
    )
    rectify_provisional = models.BooleanField(
        _("期限待定"),
        default=False,
        help_text=_("期限跨越工作日历尚未覆盖的年度，日期按周一至周五推算，待日历发布后校正"),
    )
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
        verbose_name = _("量化评分检查")
        verbose_name_plural = _("量化评分检查")
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.place.name} {self.inspected_on} {self.grade}"


class PlannedInspection(Area):
    """One visit of the inspection calendar."""

    class Reason(models.TextChoices):
        FIRST = "first", _("首次量化评分")
        ROUTINE = "routine", _("按等级监督")
        REINSPECT = "reinspect", _("整改复查")

    place = models.ForeignKey(
        PublicPlace, verbose_name=_("场所"), on_delete=models.CASCADE, related_name="plans"
    )
    due_on = models.DateField(_("计划日期"), db_index=True)
    reason = models.CharField(_("检查类别"), max_length=10, choices=Reason.choices)
    basis_grade = models.CharField(_("依据等级"), max_length=1, choices=Grade.choices, blank=True)
    done = models.ForeignKey(
        Inspection,
        verbose_name=_("完成的检查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")
        ordering = ["due_on", "place_id"]

    def __str__(self) -> str:
        return f"{self.place.name} {self.due_on} {self.get_reason_display()}"
