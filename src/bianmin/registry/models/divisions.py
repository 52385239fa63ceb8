from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager


class DivisionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("地级")
    COUNTY = 3, _("县级")
    TOWN = 4, _("乡级（乡镇、街道）")
    VILLAGE = 5, _("村级（村、社区）")


# Length of the hierarchical prefix that identifies a node at each level.
PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class Division(models.Model):
    """An administrative division (行政区划).

    `code` is the official form: six digits (GB/T 2260) for province, city and county; twelve
    digits (国家统计局 统计用区划代码) for towns/streets and villages/communities. `prefix` is the
    part that is shared by everything under the node, which is what scoping filters on.
    """

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    prefix = models.CharField(_("代码前缀"), max_length=12, unique=True)
    full_name = models.CharField(_("全称"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_community(self) -> bool:
        return self.level == DivisionLevel.VILLAGE and "社区" in self.name

    @property
    def kind_label(self) -> str:
        if self.level == DivisionLevel.VILLAGE:
            return str(_("社区")) if self.is_community else str(_("村"))
        if self.level == DivisionLevel.TOWN:
            return str(_("街道")) if self.name.endswith("街道") else str(_("乡镇"))
        return self.get_level_display()


class Grid(models.Model):
    """A 网格 under a village/community: 12-digit community code + 2-digit sequence.

    Two digits (not three) on purpose: a 15-digit code would read as a legacy ID number to
    the log masker and be hidden from the very people who need it.
    """

    code = models.CharField(_("网格编码"), max_length=14, primary_key=True)
    name = models.CharField(_("网格名称"), max_length=100)
    community = models.ForeignKey(
        Division,
        verbose_name=_("所属村（社区）"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": DivisionLevel.VILLAGE},
    )
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), blank=True, related_name="grids"
    )
    households_served = models.PositiveIntegerField(_("服务户数"), default=0)

    scope_area_field = "code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.community.name}{self.name}"
