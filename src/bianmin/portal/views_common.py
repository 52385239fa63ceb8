"""What every portal page needs: the unread badge, service errors on the right field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bianmin.notifications.queries import unread_count
from bianmin.portal.access import resident_of


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = dict(context or {})
    account = resident_of(request.user)
    context.setdefault("resident", account)
    if account is not None:
        context.setdefault("person", getattr(request, "person", None) or account.person)
        context.setdefault("unread", unread_count(user=request.user))
    return render(request, template, context, status=status)


def put_errors(form: forms.Form, error: ValidationError, prefix: str = "") -> None:
    """A service's errors next to the fields they name (a material code → its file field),
    the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        for name in (f"{prefix}{key}", key):
            if name in form.fields:
                form.add_error(name, errors)
                break
        else:
            form.add_error(None, errors)
