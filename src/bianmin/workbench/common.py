"""What every workbench view needs: who may enter, how service errors reach a form, paging."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from bianmin.registry.models import Role

PAGE_SIZE = 30


def is_staff_member(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or hasattr(user, "staff")))


def is_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return staff is not None and staff.role == Role.ADMIN


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and a staff member (or superuser): a bare account has no scope at all."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):
            raise PermissionDenied(
                _("您的账号尚未配置工作人员信息（所在单位、角色），请联系系统管理员。")
            )
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_admin(request.user):
            raise PermissionDenied(_("只有系统管理员可以查看此页面。"))
        return view(request, *args, **kwargs)

    return wrapper


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names; the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest, form: forms.Form | None = None) -> str:
    """The list's filters for pagination and export links; taken from the form when given,
    so a value the form dropped (a full ID number typed in a search box) is not repeated."""
    source = form.data if form is not None and form.is_bound else request.GET
    params = source.copy()
    params.pop("page", None)
    return params.urlencode()


def filters_of(form: forms.Form) -> dict[str, str]:
    """The filters a list was narrowed by, as plain strings (for the export's audit entry)."""
    if not form.is_valid():
        return {}
    return {k: str(v) for k, v in form.cleaned_data.items() if v not in (None, "")}


def list_page(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """A list page, or just its results table when htmx asks for it (live search).

    A history-restore request wants the whole page, not the fragment.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        response = render(request, partial, context)
    else:
        response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response
