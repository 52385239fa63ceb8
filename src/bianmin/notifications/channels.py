"""Delivery channels: how a queued message actually leaves (or lands in an inbox).

A channel is any object with `send(message) -> None` that raises `TemporaryFailure` (try
again later: gateway down, timeout, throttled) or `PermanentFailure` (retrying cannot help: no
phone number, number refused). Which channel serves which outbox channel is a setting:

    BIANMIN["NOTIFY_CHANNELS"] = {"sms": "file", "in_app": "in_app"}

with the built-in names below or a dotted path to a class of one's own. `transactional`
channels write only to our own database; the deliverer runs their `send` and the "sent" mark
in one transaction, so they deliver exactly once and are never left 状态不明.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from bianmin.core.masking import mask_phone, mask_text
from bianmin.notifications.models import InboxItem, OutboxMessage

logger = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Worth another try later."""


class PermanentFailure(Exception):
    """Another try would fail the same way: goes to the administrator at once."""


class Channel(Protocol):
    transactional: bool

    def send(self, message: OutboxMessage) -> None: ...


def masked_recipient(message: OutboxMessage) -> str:
    """Who a message is for, fit for a log line or an administrator's screen."""
    address = message.recipient_address
    if address and address[0].isdigit():
        return mask_phone(address)
    if address:
        return address
    if message.recipient_user_id:
        return f"user:{message.recipient_user_id}"
    if message.recipient_person_id:
        return f"person:{message.recipient_person_id}"
    return "-"


def _require_phone(message: OutboxMessage) -> str:
    phone = message.recipient_address.strip()
    if not phone.isdigit() or len(phone) < 7:
        # Never put the address itself in the error: it is shown and stored.
        raise PermanentFailure("没有可用的手机号码 / no usable phone number")
    return phone


class ConsoleChannel:
    """Writes one log line per message (the log filter masks numbers as well)."""

    transactional = False

    def send(self, message: OutboxMessage) -> None:
        if message.channel == "sms":
            _require_phone(message)
        logger.info(
            "[%s] to %s: %s",
            message.channel,
            masked_recipient(message),
            mask_text(message.body),
        )


class FileChannel:
    """Appends one JSON line per message to `<NOTIFY_FILE_DIR>/<channel>.jsonl` — the demo's
    stand-in for a gateway, so a person can read what residents would receive. It plays the
    part of the gateway's request log, so the phone number is masked like in any log."""

    transactional = False
    _lock = threading.Lock()  # one line at a time from the threads of one process

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(
            directory or settings.BIANMIN.get("NOTIFY_FILE_DIR") or settings.VAR_DIR / "outbox"
        )

    def send(self, message: OutboxMessage) -> None:
        if message.channel == "sms":
            _require_phone(message)
        line = json.dumps(
            {
                "id": message.pk,
                "at": timezone.localtime().isoformat(timespec="seconds"),
                "channel": message.channel,
                "to": masked_recipient(message),
                "subject": message.subject,
                "body": mask_text(message.body),
                "related": f"{message.related_type}:{message.related_id}".strip(":"),
            },
            ensure_ascii=False,
        )
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with self._lock, open(self.directory / f"{message.channel}.jsonl", "a") as f:
                f.write(line + "\n")
        except OSError as e:  # disk full, permissions: may clear up
            raise TemporaryFailure(f"写入文件失败 / cannot write: {e.strerror}") from e


class InAppChannel:
    """Stores the message in the recipient's inbox (portal for residents, workbench for staff
    and department inboxes "dept:<code>"). The message's unique link makes it exactly-once."""

    transactional = True

    def send(self, message: OutboxMessage) -> None:
        if not (
            message.recipient_user_id or message.recipient_person_id or message.recipient_address
        ):
            raise PermanentFailure("没有接收人 / no recipient")
        InboxItem.objects.get_or_create(
            message=message,
            defaults={
                "user_id": message.recipient_user_id,
                "person_id": message.recipient_person_id,
                "address": message.recipient_address,
                "subject": message.subject,
                "body": message.body,
                "related_type": message.related_type,
                "related_id": message.related_id,
            },
        )


class HttpSmsChannel:
    """A JSON-over-HTTP SMS gateway (most Chinese SMS platforms offer one; adapt `payload` to
    the contract). Settings: BIANMIN["SMS_HTTP"] = {"URL", "KEY", "SIGN", "TIMEOUT"}.

    2xx is sent; 4xx (but 408/429) is permanent — a refused number or template; 5xx, 408, 429,
    timeouts and connection errors are temporary. The message's dedupe key goes along as
    `Idempotency-Key`, so a gateway that honours it drops a resend after a lost answer.
    """

    transactional = False

    def __init__(self, config: dict | None = None) -> None:
        config = config if config is not None else settings.BIANMIN.get("SMS_HTTP", {})
        self.url = config.get("URL", "")
        self.key = config.get("KEY", "")
        self.sign = config.get("SIGN", "便民服务")
        self.timeout = float(config.get("TIMEOUT", 10))
        if not self.url.startswith(("https://", "http://")):
            raise ValueError('BIANMIN["SMS_HTTP"]["URL"] must be an http(s) URL')

    def payload(self, message: OutboxMessage, phone: str) -> dict:
        return {"to": phone, "sign": self.sign, "text": message.body, "ref": message.dedupe_key}

    def send(self, message: OutboxMessage) -> None:
        phone = _require_phone(message)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=json.dumps(self.payload(message, phone), ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.key}",
                "Idempotency-Key": message.dedupe_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read(4096)
        except urllib.error.HTTPError as e:
            detail = mask_text(e.read(300).decode("utf-8", "replace")).strip()
            text = f"短信网关返回 HTTP {e.code} / gateway answered {e.code}: {detail}"
            if 400 <= e.code < 500 and e.code not in (408, 429):
                raise PermanentFailure(text) from None
            raise TemporaryFailure(text) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            reason = getattr(e, "reason", e)
            raise TemporaryFailure(f"短信网关不可达 / gateway unreachable: {reason}") from None


BUILT_IN = {
    "console": ConsoleChannel,
    "file": FileChannel,
    "in_app": InAppChannel,
    "http_sms": HttpSmsChannel,
}


def channel_for(outbox_channel: str) -> Channel:
    """The configured channel for an outbox channel ("sms", "in_app")."""
    configured = settings.BIANMIN.get("NOTIFY_CHANNELS", {})
    name = configured.get(outbox_channel) or ("in_app" if outbox_channel == "in_app" else "file")
    cls = BUILT_IN.get(name) or import_string(name)
    return cls()
