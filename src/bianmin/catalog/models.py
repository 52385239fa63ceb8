"""The service catalogue (事项实施清单): what can be applied for, where, with which materials,
through which steps, within which time limit.

Items are versioned: editing an item writes a new `ServiceItem` row with the same `code` and
`version + 1` and retires the old one (`is_current=False`). A case points at the exact row it
was filed under, so later edits never change what an accepted application was judged against.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.registry.models import Department, Tag


class ItemType(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    BENEFIT = "benefit", _("行政给付")
    REWARD = "reward", _("行政奖励")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    CONVENIENCE = "convenience", _("便民服务")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人")
    BOTH = "both", _("自然人和法人")


class AcceptLevel(models.TextChoices):
    """Where an application may be taken in. Village level always means through an agent."""

    CITY = "city", _("市级政务服务中心")
    DISTRICT = "district", _("区级政务服务中心")
    TOWN = "town", _("街道（乡镇）便民服务中心")
    VILLAGE = "village", _("村（社区）便民服务室（代办）")


class ServiceItem(models.Model):
    code = models.CharField(_("事项编码"), max_length=40, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("现行版本"), default=True)
    name = models.CharField(_("事项名称"), max_length=120)
    item_type = models.CharField(_("事项类型"), max_length=16, choices=ItemType.choices)
    applicant_kind = models.CharField(
        _("服务对象"), max_length=12, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    legal_basis = models.TextField(_("设定依据"))
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="items"
    )
    accept_levels = models.JSONField(_("可受理层级"), default=list)
    statutory_limit_days = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    promised_limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), help_text=_("0 表示即办件")
    )
    fee = models.DecimalField(_("收费标准（元）"), max_digits=10, decimal_places=2, default=0)
    fee_basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    online = models.BooleanField(_("可网上办理"), default=False)
    max_visits = models.PositiveSmallIntegerField(
        _("到现场次数上限"), default=1, help_text=_("最多跑一次 = 1，零跑动 = 0")
    )
    allows_deficiency = models.BooleanField(
        _("可容缺受理"),
        default=False,
        help_text=_("非关键材料缺失时，申请人书面承诺限期补交即可先行受理"),
    )
    conditions = models.TextField(_("受理条件"), blank=True)
    place = models.CharField(_("办理地点"), max_length=300, blank=True)
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=40, blank=True)
    result_name = models.CharField(_("办理结果"), max_length=100, blank=True)
    result_certificate_type = models.CharField(_("结果证照类型"), max_length=40, blank=True)
    eligible_min_age = models.PositiveSmallIntegerField(_("适用年龄（起）"), null=True, blank=True)
    eligible_tags = models.ManyToManyField(
        Tag, verbose_name=_("适用重点人群"), blank=True, related_name="+"
    )
    change_note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编制人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_item_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="one_current_item_version"
            ),
            models.CheckConstraint(
                condition=Q(promised_limit_days__lte=models.F("statutory_limit_days")),
                name="promised_within_statutory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code} v{self.version}）"

    @property
    def accept_level_labels(self) -> list[str]:
        labels = dict(AcceptLevel.choices)
        return [str(labels.get(level, level)) for level in self.accept_levels]

    @property
    def is_instant(self) -> bool:
        """即办件: decided at the window, no promised working days."""
        return self.promised_limit_days == 0

    @property
    def visits_label(self) -> str:
        if self.max_visits == 0:
            return str(_("零跑动"))
        if self.max_visits == 1:
            return str(_("最多跑一次"))
        return str(_("最多跑 %(n)s 次") % {"n": self.max_visits})


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    ORIGINAL_AND_COPY = "both", _("原件及复印件")
    ELECTRONIC = "electronic", _("电子材料")


class MaterialRequirement(models.TextChoices):
    MANDATORY = "mandatory", _("必要")
    CONDITIONAL = "conditional", _("情形必要")
    OPTIONAL = "optional", _("非必要")


class Material(models.Model):
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="materials"
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    code = models.SlugField(_("材料代码"), max_length=40)
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("材料形式"), max_length=12, choices=MaterialForm.choices)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    requirement = models.CharField(
        _("必要性"),
        max_length=12,
        choices=MaterialRequirement.choices,
        default=MaterialRequirement.MANDATORY,
    )
    condition = models.CharField(_("适用情形"), max_length=200, blank=True)
    essential = models.BooleanField(
        _("关键材料"), default=True, help_text=_("关键材料缺失不能容缺受理")
    )
    source_note = models.CharField(_("来源渠道"), max_length=100, blank=True)
    sample = models.TextField(_("填写示例"), blank=True)
    common_mistakes = models.TextField(_("常见错误"), blank=True)
    shared_source = models.CharField(
        _("可共享获取"),
        max_length=40,
        blank=True,
        help_text=_("可由电子证照或共享数据代替的，填写证照类型或共享数据项代码"),
    )

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="uniq_material_code")]

    def __str__(self) -> str:
        return self.name


class StepKind(models.TextChoices):
    ACCEPT = "accept", _("受理")
    REVIEW = "review", _("审查")
    DECIDE = "decide", _("决定")
    DELIVER = "deliver", _("送达")


class ProcessStep(models.Model):
    """One step of an item's process. Steps with the same `parallel_group` run side by side
    (并联审批); groups run in ascending order."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="steps"
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("环节名称"), max_length=100)
    kind = models.CharField(_("环节类型"), max_length=10, choices=StepKind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="+"
    )
    parallel_group = models.PositiveSmallIntegerField(_("并联组"), default=1)
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=0)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["item", "parallel_group", "seq"]

    def __str__(self) -> str:
        return self.name


class Bundle(models.Model):
    """多证联办: one application that yields several items' results with one notice."""

    code = models.CharField(_("联办编码"), max_length=40, unique=True)
    name = models.CharField(_("联办事项名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    item_codes = models.JSONField(_("包含事项编码"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("多证联办")
        verbose_name_plural = _("多证联办")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
