"""Follow-up programs (随访服务项目): who is eligible, who is enrolled, what is due when, what
was done. One engine for every sector — health key populations, elderly care, assistance,
employment — so a program is data (rule, schedule, form) and never a new model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager
from bianmin.registry.models import Department, OrgUnit, OrgUnitKind, Person, Role, Staff


class Sector(models.TextChoices):
    HEALTH = "health", _("卫生健康")
    ELDERLY = "elderly", _("养老服务")
    ASSISTANCE = "assistance", _("社会救助")
    EMPLOYMENT = "employment", _("就业服务")
    CHILDREN = "children", _("未成年人保护")
    OTHER = "other", _("其他")


class EnrolmentMode(models.TextChoices):
    AUTO = "auto", _("自动纳入")
    MANUAL = "manual", _("人工纳入")


class ScheduleKind(models.TextChoices):
    EVERY_N_MONTHS = "every_n_months", _("每N个月")
    YEARLY = "yearly", _("每年一次")
    PLAN = "plan", _("按计划时点")


class PlanAnchor(models.TextChoices):
    BIRTH = "birth", _("出生日期")
    ENROLMENT = "enrolment", _("纳入日期")


class VisitKind(models.TextChoices):
    CLINIC = "clinic", _("门诊")
    HOME = "home", _("入户")
    PHONE = "phone", _("电话")
    VIDEO = "video", _("视频")
    OTHER = "other", _("其他")


FACE_TO_FACE = (VisitKind.CLINIC, VisitKind.HOME)


class ExitReason(models.TextChoices):
    DEATH = "death", _("死亡")
    MOVED_OUT = "moved_out", _("迁出")
    NOT_ELIGIBLE = "not_eligible", _("不再符合条件")
    REFUSED = "refused", _("本人拒绝")
    COMPLETED = "completed", _("服务完成")
    LOST = "lost", _("失访")
    OTHER = "other", _("其他")


class Program(models.Model):
    """A follow-up program. Eligibility, schedule and visit form are declarative data checked
    by `rules`, `schedule` and `visitforms`; see docs/programs.md."""

    code = models.SlugField(_("项目代码"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    sector = models.CharField(_("领域"), max_length=12, choices=Sector.choices)
    eligibility = models.JSONField(_("纳入条件"), default=dict, blank=True)
    enrolment_mode = models.CharField(
        _("纳入方式"), max_length=8, choices=EnrolmentMode.choices, default=EnrolmentMode.MANUAL
    )
    schedule_kind = models.CharField(_("随访周期"), max_length=16, choices=ScheduleKind.choices)
    interval_months = models.PositiveSmallIntegerField(_("间隔月数"), null=True, blank=True)
    # Months after the anchor at which a visit is due (儿童健康检查 1,3,6,8,12… months of age).
    plan_offsets = models.JSONField(_("计划时点（月）"), default=list, blank=True)
    plan_anchor = models.CharField(
        _("计划起算"), max_length=10, choices=PlanAnchor.choices, default=PlanAnchor.BIRTH
    )
    plan_window_days = models.PositiveSmallIntegerField(_("时点前后容许天数"), default=30)
    yearly_due = models.CharField(_("每年截止日（月-日）"), max_length=5, default="12-31")
    first_visit_days = models.PositiveSmallIntegerField(_("纳入后首次随访期限（天）"), default=30)
    # Visit kinds that satisfy the schedule ([] = any): 面对面 only for 高血压 etc.
    counted_kinds = models.JSONField(_("计入随访的方式"), default=list, blank=True)
    form_schema = models.JSONField(_("随访表单"), default=list, blank=True)
    outcomes = models.JSONField(_("随访结果选项"), default=list, blank=True)
    responsible_unit_kind = models.CharField(
        _("责任单位类型"), max_length=10, choices=OrgUnitKind.choices, blank=True
    )
    responsible_role = models.CharField(
        _("责任岗位"), max_length=12, choices=Role.choices, blank=True
    )
    # Enrolments of a restricted program (health) are seen only within that department.
    restricted_to = models.ForeignKey(
        Department,
        verbose_name=_("仅限部门可见"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("随访服务项目")
        verbose_name_plural = _("随访服务项目")
        ordering = ["sector", "code"]

    def __str__(self) -> str:
        return self.name


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("在管")
    EXITED = "exited", _("已结案")


def _area_q(scope) -> Q:
    area = Q() if scope.area_prefix == "" else Q(area_code__startswith=scope.area_prefix)
    if scope.area_prefix == "" and scope.department_code is None:
        return area  # superusers
    return area & (Q(restricted_to__isnull=True) | Q(restricted_to_id=scope.department_code or "-"))


class Enrolment(models.Model):
    """One person in one program. `next_due_on` is kept by `services.recompute_next_due` so
    the due lists are one indexed range scan."""

    program = models.ForeignKey(
        Program, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    enrolled_on = models.DateField(_("纳入日期"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("纳入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enrolment_mode = models.CharField(
        _("纳入方式"), max_length=8, choices=EnrolmentMode.choices, default=EnrolmentMode.MANUAL
    )
    enrol_note = models.CharField(_("纳入说明"), max_length=200, blank=True)
    exit_reason = models.CharField(
        _("结案原因"), max_length=16, choices=ExitReason.choices, blank=True
    )
    exit_note = models.CharField(_("结案说明"), max_length=200, blank=True)
    exited_on = models.DateField(_("结案日期"), null=True, blank=True)
    # Set by the auto-enrolment sweep when the rule no longer holds: a worker decides.
    ineligible_since = models.DateField(_("不再符合条件日期"), null=True, blank=True)
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area_code = models.CharField(_("管辖区划"), max_length=14)
    restricted_to = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    next_due_on = models.DateField(_("下次随访日期"), null=True, blank=True)
    last_visit_on = models.DateField(_("最近随访日期"), null=True, blank=True)
    visit_count = models.PositiveIntegerField(_("随访次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    unscoped = models.Manager()

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _area_q(scope)

    class Meta:
        verbose_name = _("项目纳入")
        verbose_name_plural = _("项目纳入")
        ordering = ["next_due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=Q(status="active"),
                name="programs_one_active_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(next_due_on__isnull=True),
                name="programs_exited_nothing_due",
            ),
        ]
        indexes = [
            # The due list: active rows under an area prefix, by due date. varchar_pattern_ops
            # lets PostgreSQL use the index for LIKE 'prefix%' whatever the collation.
            models.Index(
                fields=["area_code", "next_due_on"],
                name="programs_due_by_area",
                condition=Q(status="active"),
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["person", "status"], name="programs_enrol_person"),
            models.Index(fields=["program", "status"], name="programs_enrol_program"),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.person_id}"

    @property
    def is_active(self) -> bool:
        return self.status == EnrolmentStatus.ACTIVE


class Visit(models.Model):
    """A follow-up done: its typed answers (`data`) are checked against the program's form by
    `visitforms.clean_visit_data`, the one place visit data is validated."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("项目纳入"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("随访日期"))
    kind = models.CharField(_("随访方式"), max_length=8, choices=VisitKind.choices)
    performer = models.ForeignKey(
        Staff,
        verbose_name=_("随访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    performer_name = models.CharField(_("随访人姓名"), max_length=60, blank=True)
    data = models.JSONField(_("随访内容"), default=dict, blank=True)
    outcome = models.CharField(_("随访结果"), max_length=30, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    # A date set by the visitor (not controlled → again in two weeks) beats the schedule.
    next_due_on = models.DateField(_("约定下次随访"), null=True, blank=True)
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)
    restricted_to = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedManager()
    unscoped = models.Manager()

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _area_q(scope)

    class Meta:
        verbose_name = _("随访记录")
        verbose_name_plural = _("随访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["enrolment", "visited_on"], name="programs_visit_enrol")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.visited_on}"
