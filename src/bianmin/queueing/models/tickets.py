"""Queue tickets (排队号) and the per-category, per-day counter that numbers them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import ScopedManager
from bianmin.queueing.models.halls import Hall, Window, WindowCategory


class TicketCounter(models.Model):
    """The last number issued in a category on a day. Incremented with one UPDATE, whose row
    lock makes concurrent kiosks wait their turn instead of issuing the same number."""

    category = models.ForeignKey(WindowCategory, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("取号计数")
        verbose_name_plural = _("取号计数")
        constraints = [
            models.UniqueConstraint(fields=["category", "day"], name="uniq_counter_day"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.day} {self.last}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已呼叫")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已办结")
    NO_SHOW = "no_show", _("过号")
    TRANSFERRED = "transferred", _("已转移")
    # Withdrawn before it was called: the applicant died (a life event), nobody will come.
    CANCELLED = "cancelled", _("已取消")


# A window holds at most one of these at a time.
ACTIVE_STATUSES = (TicketStatus.CALLED, TicketStatus.SERVING)
FINAL_STATUSES = (
    TicketStatus.DONE,
    TicketStatus.NO_SHOW,
    TicketStatus.TRANSFERRED,
    TicketStatus.CANCELLED,
)


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("自助取号")
    STAFF = "staff", _("窗口代取")
    APPOINTMENT = "appointment", _("预约签到")
    TRANSFER = "transfer", _("转移")


class Ticket(models.Model):
    hall = models.ForeignKey(
        Hall, verbose_name=_("办事大厅"), on_delete=models.PROTECT, related_name="tickets"
    )
    category = models.ForeignKey(
        WindowCategory, verbose_name=_("业务类别"), on_delete=models.PROTECT, related_name="tickets"
    )
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)
    day = models.DateField(_("日期"))
    seq = models.PositiveIntegerField(_("当日序号"))
    number = models.CharField(_("号码"), max_length=8)
    source = models.CharField(_("来源"), max_length=12, choices=TicketSource.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    issued_at = models.DateTimeField(_("取号时间"))
    # Place in the queue: the issue time, or the first ticket's for one transferred here.
    queue_at = models.DateTimeField(_("排队时间"))
    # Start of the appointment's slot: from then on the ticket goes before walk-ins.
    priority_at = models.DateTimeField(_("预约时段开始"), null=True, blank=True)
    called_at = models.DateTimeField(_("首次呼叫时间"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("最近呼叫时间"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("呼叫次数"), default=0)
    serving_at = models.DateTimeField(_("开始办理时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=100, blank=True)
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The ID number only as the registry's keyed hash and masked: enough to match a later case
    # or appointment, useless to anyone reading the table.
    applicant_hash = models.CharField(_("证件号索引"), max_length=64, blank=True, db_index=True)
    applicant_masked = models.CharField(_("证件号"), max_length=18, blank=True)
    appointment = models.OneToOneField(
        "queueing.Appointment",
        verbose_name=_("预约"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket",
    )
    transferred_from = models.OneToOneField(
        "self",
        verbose_name=_("转自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transferred_to",
    )
    # The application accepted at the window for this ticket (一窗受理): queue and case joined.
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_tickets",
    )

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["category", "day", "seq"], name="uniq_ticket_seq"),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "cancelled"]) | Q(called_at__isnull=False),
                name="ticket_called_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["category", "status", "queue_at"], name="ticket_queue_idx"),
            models.Index(fields=["hall", "day", "status"], name="ticket_hall_day_idx"),
            models.Index(fields=["window", "status"], name="ticket_window_idx"),
        ]

    def __str__(self) -> str:
        return self.number
