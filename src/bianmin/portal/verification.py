"""短信验证码: proof that the person registering holds the registered mobile.

Matching ID number + name + registered mobile proves only that someone knows them; a stranger
who does could otherwise open a resident's account and read their cases. So registration sends
a six-digit code to the number on file and opens the account only when it comes back.

The pending step lives in the session (the code itself only as a keyed hash): ten minutes, five
tries, a new code at most once a minute and `sms_phone` sends per number an hour
(`core/ratelimit.py`). The SMS goes through the notifications outbox like every other message,
so it reaches the resident by whatever channel production configures.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from bianmin.core import ratelimit
from bianmin.notifications.models import Channel
from bianmin.notifications.services import queue_message

SESSION_KEY = "portal_sms_code"
CODE_TTL = 600
MAX_TRIES = 5
RESEND_AFTER = 60


def _digest(code: str) -> str:
    return salted_hmac(SESSION_KEY, code).hexdigest()


def send_code(request: HttpRequest, *, purpose: str, phone: str, payload: dict[str, Any]) -> None:
    """Send a fresh code to `phone` and keep `payload` until it is confirmed."""
    now = time.time()
    pending = request.session.get(SESSION_KEY)
    if pending and pending["phone"] == phone and now - pending["sent"] < RESEND_AFTER:
        wait = int(RESEND_AFTER - (now - pending["sent"])) + 1
        raise ValidationError(
            _("验证码已发送，请%(s)s秒后再重新获取。"), code="code_too_soon", params={"s": wait}
        )
    if ratelimit.blocked("sms_phone", phone):
        raise ValidationError(_("该手机号码获取验证码次数过多，请一小时后再试。"), code="sms_limit")
    ratelimit.count("sms_phone", phone)
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[SESSION_KEY] = {
        "purpose": purpose,
        "phone": phone,
        "payload": payload,
        "digest": _digest(code),
        "sent": now,
        "tries": 0,
    }
    queue_message(
        dedupe_key=f"portal:sms-code:{secrets.token_hex(12)}",
        channel=Channel.SMS,
        recipient_address=phone,
        body=str(
            _(
                "【便民服务】您的验证码为%(code)s，10分钟内有效，请勿告诉他人。如非本人操作，请忽略。"
            )
            % {"code": code}
        ),
        related_type="portal_verification",
    )


def pending(request: HttpRequest, *, purpose: str) -> dict[str, Any] | None:
    data = request.session.get(SESSION_KEY)
    if not data or data["purpose"] != purpose or time.time() - data["sent"] > CODE_TTL:
        return None
    return data


def confirm(request: HttpRequest, *, purpose: str, code: str) -> dict[str, Any]:
    """The payload of the pending step when `code` is right; the step is then used up."""
    data = request.session.get(SESSION_KEY)
    if not data or data["purpose"] != purpose:
        raise ValidationError(_("请先填写注册信息并获取验证码。"), code="code_missing")
    if time.time() - data["sent"] > CODE_TTL:
        request.session.pop(SESSION_KEY, None)
        raise ValidationError(_("验证码已过期，请重新获取。"), code="code_expired")
    if not constant_time_compare(data["digest"], _digest((code or "").strip())):
        data["tries"] += 1
        if data["tries"] >= MAX_TRIES:
            request.session.pop(SESSION_KEY, None)
            raise ValidationError(_("验证码错误次数过多，请重新获取。"), code="code_attempts")
        request.session[SESSION_KEY] = data
        raise ValidationError(_("验证码不正确。"), code="code_wrong")
    request.session.pop(SESSION_KEY, None)
    return data["payload"]
