"""Errors the services raise. Views and the API turn them into clear zh-Hans/English answers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["OutOfScope", "ValidationError", "message_of"]


class OutOfScope(PermissionDenied):
    """The record exists but lies outside the acting user's area or department."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("该记录不在您的管辖范围内。"))


def message_of(error: ValidationError) -> str:
    return "；".join(str(m) for m in error.messages)
