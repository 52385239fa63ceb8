"""Department data exchange (部门数据交换) and the life events it carries (一次告知).

- `ExchangeClient`: one per pushing department system; its secret is stored encrypted (the
  server must recompute the HMAC, so a one-way hash would not do).
- `PushLog`: every push attempt, accepted or rejected (bad signature, malformed envelope).
- `ExchangeRecord`: one department record id → its result, the idempotency key of a push.
- `DeadLetter`: a record that could not be applied, with the reason, for an administrator.
- `LifeEventRecord`: a death / move / move-out told once, and what every register did.
- `HeadVacancy`: a household whose head died or left, waiting for a new head (户主变更).
- `EmploymentRegistration`: 就业登记 pushed by 人社.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.core import lifecycle

# What a department may push, by kind. The API path of each kind is in api_urls.py.
DEATH = "death"
MOVE = "move"
MOVE_OUT = "move_out"
EMPLOYMENT = "employment"
CERTIFICATE = "certificate"


class RecordKind(models.TextChoices):
    DEATH = DEATH, _("死亡信息")
    MOVE = MOVE, _("居住地变更")
    MOVE_OUT = MOVE_OUT, _("户籍迁出")
    EMPLOYMENT = EMPLOYMENT, _("就业登记")
    CERTIFICATE = CERTIFICATE, _("证照信息")


class ExchangeClient(models.Model):
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        related_name="exchange_clients",
    )
    client_id = models.CharField(_("客户端标识"), max_length=40, unique=True)
    secret_cipher = models.TextField(_("密钥（密文）"))
    kinds = models.JSONField(_("可推送的数据种类"), default=list)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_push_at = models.DateTimeField(_("最近推送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("交换客户端")
        verbose_name_plural = _("交换客户端")
        ordering = ["department_id", "client_id"]

    def __str__(self) -> str:
        return self.client_id


class UsedNonce(models.Model):
    """A nonce seen within the timestamp window; a second push with it is a replay."""

    client = models.ForeignKey(ExchangeClient, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "nonce"], name="exchange_nonce_once")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.nonce}"


class PushOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("已接收")
    REJECTED_AUTH = "rejected_auth", _("认证失败")
    REJECTED_ENVELOPE = "rejected_envelope", _("报文格式错误")


class PushLog(models.Model):
    client = models.ForeignKey(
        ExchangeClient,
        verbose_name=_("客户端"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pushes",
    )
    claimed_client_id = models.CharField(_("声明的客户端标识"), max_length=64, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    path = models.CharField(_("接口"), max_length=100)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=20, choices=PushOutcome.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP状态"))
    reason_code = models.CharField(_("原因代码"), max_length=40, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    applied = models.PositiveIntegerField(_("已应用"), default=0)
    replayed = models.PositiveIntegerField(_("重复推送"), default=0)
    dead_lettered = models.PositiveIntegerField(_("转入待处理"), default=0)

    class Meta:
        verbose_name = _("推送日志")
        verbose_name_plural = _("推送日志")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.path} {self.outcome}"


class RecordStatus(models.TextChoices):
    APPLIED = "applied", _("已应用")
    DEAD_LETTER = "dead_letter", _("待处理")


class ExchangeRecord(models.Model):
    """The result of one department record, keyed by the department's own record id."""

    client = models.ForeignKey(ExchangeClient, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("种类"), max_length=12, choices=RecordKind.choices)
    record_id = models.CharField(_("部门记录号"), max_length=64)
    payload_hash = models.CharField(max_length=64)
    status = models.CharField(_("状态"), max_length=12, choices=RecordStatus.choices)
    result = models.JSONField(_("结果"), default=dict)
    push = models.ForeignKey(PushLog, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now=True)

    class Meta:
        verbose_name = _("交换记录")
        verbose_name_plural = _("交换记录")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind", "record_id"], name="exchange_record_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.record_id}"


class DeadLetterStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已更正重试")
    DISCARDED = "discarded", _("已作废")


class DeadLetter(models.Model):
    """A record that was refused. The payload is kept encrypted (it carries an ID number) so an
    administrator can correct and retry it; lists show only `payload_masked`."""

    client = models.ForeignKey(
        ExchangeClient, verbose_name=_("客户端"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("种类"), max_length=12, choices=RecordKind.choices)
    record_id = models.CharField(_("部门记录号"), max_length=64, blank=True)
    payload_cipher = models.TextField()
    payload_masked = models.JSONField(_("内容（脱敏）"), default=dict)
    reason_code = models.CharField(_("原因代码"), max_length=40)
    message = models.CharField(_("原因"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeadLetterStatus.choices, default=DeadLetterStatus.OPEN
    )
    push = models.ForeignKey(PushLog, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("待处理记录")
        verbose_name_plural = _("待处理记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.record_id} {self.reason_code}"


class LifeEventKind(models.TextChoices):
    DEATH = lifecycle.DEATH, _("死亡")
    MOVE = lifecycle.MOVE, _("居住地变更")
    MOVE_OUT = lifecycle.MOVE_OUT, _("户籍迁出")


class LifeEventRecord(models.Model):
    """One life event, told once: what happened, who told us (and who told us again), and what
    each register's handler did. A person dies once: one DEATH row per person."""

    kind = models.CharField(_("事件"), max_length=10, choices=LifeEventKind.choices)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField(_("发生日期"))
    source = models.CharField(_("信息来源"), max_length=100)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    reference = models.CharField(_("来源文书号"), max_length=64, blank=True)
    data = models.JSONField(_("事件内容"), default=dict)
    outcomes = models.JSONField(_("各业务处理结果"), default=list)
    confirmations = models.JSONField(_("重复告知"), default=list)
    family_notified = models.ForeignKey(
        "registry.Person",
        verbose_name=_("已通知家属"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    recorded_by = models.CharField(_("登记人"), max_length=150)
    area_code = models.CharField(_("管辖区划"), max_length=14, db_index=True)

    class Meta:
        verbose_name = _("人员变动事件")
        verbose_name_plural = _("人员变动事件")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(kind="death"), name="one_death_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_id} {self.occurred_on}"


class HeadVacancy(models.Model):
    """户主空缺: the head of a household died or moved out while others still live in it. The
    household waits for a new head (户主变更 at 公安); `filled_by` records the successor."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("户"), on_delete=models.CASCADE, related_name="+"
    )
    former_head = models.ForeignKey(
        "registry.Person", verbose_name=_("原户主"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("空缺起始"))
    event = models.ForeignKey(
        LifeEventRecord, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filled_by = models.ForeignKey(
        "registry.Person",
        verbose_name=_("新户主"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filled_on = models.DateField(_("变更日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("户主空缺")
        verbose_name_plural = _("户主空缺")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(filled_by__isnull=True),
                name="one_open_head_vacancy",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.since}"


class EmploymentRegistration(models.Model):
    """就业登记 pushed by 人社."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    employer = models.CharField(_("用人单位"), max_length=200, blank=True)
    registered_on = models.DateField(_("登记日期"))
    certificate_no = models.CharField(_("就业创业证编号"), max_length=40, blank=True)
    source = models.CharField(_("信息来源"), max_length=100)
    created_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("就业登记")
        verbose_name_plural = _("就业登记")
        ordering = ["-registered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.registered_on}"
