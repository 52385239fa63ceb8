"""What every workbench view needs: who may enter, how service errors reach a form, paging."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from bianmin.registry.models import Role

PAGE_SIZE = 30
# Registers of a whole city (1M people, 300k 户) are counted exactly up to this many rows; an
# exact COUNT(*) of the city took 0.1–3 s a page. Beyond it the list reads "超过 N 条".
COUNT_CAP = 1000


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


def paginate(
    request: HttpRequest, items: Any, per_page: int = PAGE_SIZE, *, count_cap: int | None = None
) -> Page:
    """One page of `items`. With `count_cap`, a large register is not counted to the end."""
    if count_cap is not None:
        return CappedPaginator(items, per_page, cap=count_cap).get_page(request.GET.get("page"))
    return Paginator(items, per_page).get_page(request.GET.get("page"))


class CappedPaginator(Paginator):
    """Counts at most `cap` + 1 rows. Up to `cap` it is an ordinary paginator; beyond, the
    total is only known to exceed `cap` (`capped`), any page number is accepted and a page
    knows whether another follows by reading one row more."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int = COUNT_CAP) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # Without ORDER BY, select_related and annotations: the database stops at cap + 1.
        rows = self.object_list.order_by().values("pk")[: self.cap + 1]
        return rows.count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as e:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from e
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number: Any) -> Page:
        """The page's rows first, one more than a page: when the list ends on this page its
        length is known without a count (a community's lists, most searches)."""
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if len(rows) <= self.per_page and (rows or number == 1):
            self.__dict__["count"] = bottom + len(rows)
            return Page(rows, number, self)
        if not rows:
            # A page number past the end (typed in the address bar): count exactly, once.
            self.cap = self.__dict__["count"] = self.object_list.count()
            return super().get_page(number)
        if self.capped:
            return OpenPage(rows[: self.per_page], number, self, has_more=True)
        return Page(rows[: self.per_page], number, self)

    def page(self, number: Any) -> Page:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        return OpenPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


class OpenPage(Page):
    """A page of a list whose last page is not known."""

    def __init__(self, object_list: list, number: int, paginator: Paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


@contextlib.contextmanager
def planned_for_each_search() -> Iterator[None]:
    """Plan each of the block's queries for its own values on PostgreSQL.

    Statements are prepared (settings: server-side binding), and after five runs PostgreSQL
    may keep one generic plan for all values. For a register search that plan is wrong for
    most of them: a city's and a community's scope, a rare 后四位 and a common surname want
    different plans (a city's 后四位 search took 0.3 s with the generic plan, 40 ms with its
    own). Planning a list's few queries costs ~1 ms; SET LOCAL ends with the transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


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
