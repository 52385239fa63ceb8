"""Appointments (预约服务): bookable time slots of a window category, and the bookings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager
from bianmin.queueing.models.halls import Hall, WindowCategory


class AppointmentSlot(models.Model):
    hall = models.ForeignKey(
        Hall, verbose_name=_("办事大厅"), on_delete=models.CASCADE, related_name="slots"
    )
    category = models.ForeignKey(
        WindowCategory, verbose_name=_("业务类别"), on_delete=models.CASCADE, related_name="slots"
    )
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可约人数"))
    # Active bookings, kept by conditional UPDATEs (booked < capacity) so two last-place
    # bookings cannot both succeed; the check constraint is the backstop.
    booked = models.PositiveSmallIntegerField(_("已约人数"), default=0)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["date", "start", "category_id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "date", "start"], name="uniq_slot"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_end_after_start"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_not_over"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def available(self) -> int:
        return max(self.capacity - self.booked, 0)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


ACTIVE_APPOINTMENT = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class Appointment(models.Model):
    reference = models.CharField(_("预约号"), max_length=12, unique=True)
    slot = models.ForeignKey(
        AppointmentSlot,
        verbose_name=_("预约时段"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    hall = models.ForeignKey(
        Hall, verbose_name=_("办事大厅"), on_delete=models.PROTECT, related_name="appointments"
    )
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)
    date = models.DateField(_("日期"))
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("人口库记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Residents from elsewhere may book too: the number is kept only hashed and masked.
    id_hash = models.CharField(_("证件号索引"), max_length=64, db_index=True)
    id_masked = models.CharField(_("证件号"), max_length=18)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号码"), max_length=11)
    item_code = models.CharField(_("事项编码"), max_length=40, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    # Empty when the resident cancelled; the system's reason otherwise (e.g. 申请人死亡).
    cancel_reason = models.CharField(_("取消原因"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["date", "slot_id", "pk"]
        constraints = [
            # One active booking per person per day, whatever the hall: a held slot that is
            # never used is one another resident could not book.
            models.UniqueConstraint(
                fields=["id_hash", "date"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="one_active_booking_per_day",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
