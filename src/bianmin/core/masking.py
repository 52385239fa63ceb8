"""Masking of personal numbers for screens, API answers and logs."""

from __future__ import annotations

import logging
import re

_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx]|\d{15})(?![\dA-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
# A temporary password in an SMS body (portal password reset): shown to nobody but the phone.
_PASSWORD_IN_TEXT = re.compile(r"(临时密码[：:]\s*)[A-Za-z0-9]+")


def mask_id_number(number: str) -> str:
    """First 6 and last 4 characters, the rest as asterisks (420102********1234)."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    if not phone or len(phone) < 7:
        return phone and "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_text(text: str) -> str:
    """Mask every ID number (18 or 15 digits), mobile number and temporary password found in
    free text."""
    text = _PASSWORD_IN_TEXT.sub(lambda m: m.group(1) + "******", text)
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(1)), text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class PiiLogFilter(logging.Filter):
    """Rewrites log records so no ID or phone number reaches a handler in clear."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; don't hide the record
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
