"""The outbox: every message to a resident is first a row, written in the same transaction as
the state change it reports, then delivered by a worker. A change that rolls back sends nothing;
a change that commits is never silently lost."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    IN_APP = "in_app", _("站内消息")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败（待人工处理）")
    CANCELLED = "cancelled", _("已取消")


class OutboxMessage(models.Model):
    dedupe_key = models.CharField(_("去重键"), max_length=120, unique=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The address at queueing time (a phone for SMS); kept so a later phone change does not
    # redirect an already-queued message.
    recipient_address = models.CharField(_("接收地址"), max_length=120, blank=True)
    recipient_user = models.ForeignKey(
        "auth.User",
        verbose_name=_("接收账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("标题"), max_length=120, blank=True)
    body = models.TextField(_("内容"))
    related_type = models.CharField(_("关联对象类型"), max_length=40, blank=True)
    related_id = models.CharField(_("关联对象编号"), max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), db_index=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # When a deliverer took it (status SENDING). Past the lease with no outcome recorded, the
    # deliverer died between sending and recording: shown as 状态不明 for a person to decide.
    claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.subject or self.body[:20]}"


class InboxItem(models.Model):
    """A message delivered in the app (站内消息): a resident's portal inbox, a staff member's
    workbench inbox, or a department's shared inbox (`address` "dept:<code>")."""

    # One item per outbox message: the unique key makes in-app delivery exactly-once.
    message = models.OneToOneField(
        OutboxMessage,
        verbose_name=_("来源消息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_item",
    )
    user = models.ForeignKey(
        "auth.User",
        verbose_name=_("接收账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inbox_items",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    address = models.CharField(_("接收地址"), max_length=120, blank=True, db_index=True)
    subject = models.CharField(_("标题"), max_length=120, blank=True)
    body = models.TextField(_("内容"))
    related_type = models.CharField(_("关联对象类型"), max_length=40, blank=True)
    related_id = models.CharField(_("关联对象编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("送达时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["person", "read_at"]),
        ]

    def __str__(self) -> str:
        return self.subject or self.body[:20]
