"""The resident health record (居民健康档案) and what it holds: history, conditions, check-ups."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager
from bianmin.health.models.scoping import area_q
from bianmin.registry.models import Division, Person

ICD10 = RegexValidator(
    r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$",
    _("ICD-10 编码格式应为字母加两位数字，可带小数点后缀，如 I10、E11.9。"),
    code="invalid_icd10",
)


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("在管")
    CLOSED = "closed", _("已结案")


class CloseReason(models.TextChoices):
    DEATH = "death", _("死亡")
    MOVED_OUT = "moved_out", _("迁出")


class RecordCounter(models.Model):
    """Last serial handed out in one village/community: the 5 digits after its 12-digit code.

    Incremented with a single UPDATE inside the creating transaction, which takes the row lock
    on PostgreSQL and the database write lock on SQLite, so two doctors registering residents
    of the same village at once get consecutive serials, never the same one.
    """

    village = models.OneToOneField(
        Division, primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    last_serial = models.PositiveIntegerField(_("已用流水号"), default=0)

    class Meta:
        verbose_name = _("档案编码计数器")
        verbose_name_plural = _("档案编码计数器")

    def __str__(self) -> str:
        return f"{self.village_id}:{self.last_serial}"


class BloodType(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    O = "O", "O"  # noqa: E741 - the blood group's name
    AB = "AB", "AB"
    UNKNOWN = "unknown", _("不详")


class PaymentType(models.TextChoices):
    EMPLOYEE = "employee", _("城镇职工基本医疗保险")
    RESIDENT = "resident", _("城乡居民基本医疗保险")
    ASSISTANCE = "assistance", _("医疗救助")
    COMMERCIAL = "commercial", _("商业医疗保险")
    SELF = "self", _("全自费")


class HealthRecord(models.Model):
    """One record per resident (the ID number is the identity, through `person`), coded
    `village code (12) + serial (5)` = 17 digits.

    合格 (`complete`) is recomputed by the services after every change, by the rule in
    `services.records.completeness`: basic information filled in (blood type, payment type,
    responsible institution), history reviewed (entries, or explicitly none) and at least one
    health check-up on file.
    """

    person = models.OneToOneField(
        Person, verbose_name=_("居民"), on_delete=models.PROTECT, related_name="health_record"
    )
    record_code = models.CharField(_("档案编号"), max_length=17, unique=True)
    village = models.ForeignKey(
        Division, verbose_name=_("建档村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)
    institution = models.ForeignKey(
        "health.Institution",
        verbose_name=_("责任机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    responsible_doctor = models.CharField(_("责任医生"), max_length=60, blank=True)
    electronic = models.BooleanField(_("电子档案"), default=True)
    blood_type = models.CharField(_("血型"), max_length=8, choices=BloodType.choices, blank=True)
    payment_type = models.CharField(
        _("医疗费用支付方式"), max_length=12, choices=PaymentType.choices, blank=True
    )
    occupation = models.CharField(_("职业"), max_length=40, blank=True)
    history_reviewed = models.BooleanField(_("既往史已询问"), default=False)
    complete = models.BooleanField(_("合格档案"), default=False)
    status = models.CharField(
        _("状态"), max_length=8, choices=RecordStatus.choices, default=RecordStatus.ACTIVE
    )
    close_reason = models.CharField(
        _("结案原因"), max_length=10, choices=CloseReason.choices, blank=True
    )
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    opened_on = models.DateField(_("建档日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("居民健康档案")
        verbose_name_plural = _("居民健康档案")
        ordering = ["record_code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(record_code__regex=r"^[0-9]{17}$"),
                name="health_record_code_17_digits",
            )
        ]

    def __str__(self) -> str:
        return self.record_code

    @classmethod
    def scope_q(cls, scope):
        return area_q(scope, "area_code")


class RecordScoped(models.Model):
    """Rows belonging to a record: visible exactly where their record is."""

    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope):
        return area_q(scope, "record__area_code")


class HistoryKind(models.TextChoices):
    FAMILY = "family", _("家族史")
    ILLNESS = "illness", _("既往疾病")
    SURGERY = "surgery", _("手术史")
    TRAUMA = "trauma", _("外伤史")
    TRANSFUSION = "transfusion", _("输血史")
    ALLERGY = "allergy", _("药物过敏史")


class FamilyRelation(models.TextChoices):
    FATHER = "father", _("父亲")
    MOTHER = "mother", _("母亲")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD = "child", _("子女")


class HistoryEntry(RecordScoped):
    record = models.ForeignKey(
        HealthRecord, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="history"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=HistoryKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    icd10 = models.CharField(_("ICD-10 编码"), max_length=8, blank=True, validators=[ICD10])
    occurred_on = models.DateField(_("日期"), null=True, blank=True)
    relation = models.CharField(
        _("亲属关系"), max_length=8, choices=FamilyRelation.choices, blank=True
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("既往史与家族史")
        verbose_name_plural = _("既往史与家族史")
        ordering = ["kind", "occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class ConditionCategory(models.TextChoices):
    """Key-population diagnoses of the basic public-health service (基本公共卫生服务)."""

    HYPERTENSION = "hypertension", _("高血压")
    DIABETES = "t2d", _("2型糖尿病")
    MENTAL = "smi", _("严重精神障碍")
    TUBERCULOSIS = "tb", _("肺结核")
    OTHER = "other", _("其他")


class ConditionStatus(models.TextChoices):
    ACTIVE = "active", _("在管")
    RESOLVED = "resolved", _("已治愈")


class Condition(RecordScoped):
    record = models.ForeignKey(
        HealthRecord, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="conditions"
    )
    icd10 = models.CharField(_("ICD-10 编码"), max_length=8, validators=[ICD10])
    name = models.CharField(_("诊断名称"), max_length=100)
    category = models.CharField(
        _("重点人群类别"), max_length=12, choices=ConditionCategory.choices, db_index=True
    )
    onset_on = models.DateField(_("确诊日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("诊断")
        verbose_name_plural = _("诊断")
        ordering = ["onset_on", "id"]

    def __str__(self) -> str:
        return f"{self.icd10} {self.name}"


class CheckKind(models.TextChoices):
    ANNUAL = "annual", _("健康体检")
    ELDERLY = "elderly", _("老年人年度体检")
    FIRST_VISIT = "first_visit", _("首诊测血压")
    FOLLOW_UP = "follow_up", _("随访测量")


class HealthCheck(RecordScoped):
    """A check-up or a follow-up's measurements. Vitals are range-checked by the services;
    the database keeps the plausible ranges too, so no import path can store 400 mmHg."""

    record = models.ForeignKey(
        HealthRecord, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="checks"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=CheckKind.choices)
    checked_on = models.DateField(_("检查日期"), db_index=True)
    face_to_face = models.BooleanField(_("面对面"), default=True)
    systolic = models.PositiveSmallIntegerField(_("收缩压（mmHg）"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("舒张压（mmHg）"), null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(_("心率（次/分）"), null=True, blank=True)
    fasting_glucose = models.DecimalField(
        _("空腹血糖（mmol/L）"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("身高（cm）"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    weight_kg = models.DecimalField(
        _("体重（kg）"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    program_visit_id = models.BigIntegerField(_("随访记录"), null=True, blank=True)
    institution = models.ForeignKey(
        "health.Institution",
        verbose_name=_("检查机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    doctor = models.CharField(_("检查医生"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("体检与测量")
        verbose_name_plural = _("体检与测量")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["record", "checked_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(systolic__isnull=True)
                | models.Q(systolic__gte=40, systolic__lte=300),
                name="health_check_systolic_range",
            ),
            models.CheckConstraint(
                condition=models.Q(diastolic__isnull=True)
                | models.Q(diastolic__gte=20, diastolic__lte=200),
                name="health_check_diastolic_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.checked_on}"

    @property
    def bmi(self):
        if not self.height_cm or not self.weight_kg:
            return None
        metres = float(self.height_cm) / 100
        return round(float(self.weight_kg) / (metres * metres), 1)
