"""Home, sign-in, registration and sign-out of the portal. Who the resident is comes from the
configured identity provider (`portal.identity`); these views never look a person up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from bianmin.cases.models import OPEN_STATES, CaseStatus
from bianmin.evaluation.models import Rating
from bianmin.evaluation.services.ratings import RATEABLE
from bianmin.portal import identity, verification
from bianmin.portal.access import own_cases, own_organisations, resident_of, resident_required
from bianmin.portal.forms import CodeForm, PasswordChangeForm, RegisterForm, SignInForm
from bianmin.portal.progress import status_text
from bianmin.portal.queries import online_items
from bianmin.portal.services import accounts
from bianmin.portal.views_common import page, put_errors
from bianmin.registry.access import client_ip


def home(request: HttpRequest) -> HttpResponse:
    if resident_of(request.user) is None:
        return page(request, "portal/landing.html", {"provider": identity.provider()})
    return _dashboard(request)


@resident_required
def _dashboard(request: HttpRequest) -> HttpResponse:
    cases = own_cases(request)
    recent = list(cases[:3])
    for case in recent:
        case.status_words, case.status_tone = status_text(case)
    rated = Rating.unscoped.filter(case__in=cases.values("pk")).values("case_id")
    context = {
        "recent": recent,
        "open_count": cases.filter(status__in=OPEN_STATES).count(),
        "returned_count": cases.filter(status=CaseStatus.RETURNED).count(),
        "to_rate_count": cases.filter(status__in=RATEABLE).exclude(pk__in=rated).count(),
        "suggested": [
            r
            for r in online_items(request.person, represents=own_organisations(request).exists())
            if r.fits
        ][:6],
    }
    return page(request, "portal/home.html", context)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if resident_of(request.user) is not None:
        return redirect("portal:home")
    provider = identity.provider()
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = provider.authenticate(
                request,
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
            )
            if person is None:
                form.add_error(None, _("手机号码或密码不正确。"))
            else:
                accounts.sign_in(request, person, provider=provider.key)
                return redirect(_next_url(request) or "portal:home")
        except ValidationError as e:
            put_errors(form, e)
    return page(
        request,
        "portal/sign_in.html",
        {"form": form, "next": _next_url(request), "provider": provider},
    )


@never_cache
@sensitive_post_parameters("id_number", "password", "password2")
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if resident_of(request.user) is not None:
        return redirect("portal:home")
    provider = identity.provider()
    if not provider.can_register:
        return page(request, "portal/register_elsewhere.html", {"provider": provider})
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {k: data[k] for k in ("id_number", "name", "phone", "password")}
        try:
            if hasattr(provider, "verify"):
                person = provider.verify(request, **details)
                accounts.ensure_can_open(person, person.phone)
                verification.send_code(
                    request,
                    purpose="register",
                    phone=person.phone,
                    payload={
                        "person": person.pk,
                        "phone": person.phone,
                        "password_hash": make_password(data["password"]),
                    },
                )
                return redirect("portal:register-confirm")
            person = provider.register(request, **details)
        except ValidationError as e:
            put_errors(form, e)
        else:
            accounts.sign_in(request, person, provider=provider.key)
            messages.success(request, _("注册成功，已为您登录。"))
            return redirect("portal:home")
    return page(request, "portal/register.html", {"form": form})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def register_confirm(request: HttpRequest) -> HttpResponse:
    """Second step: the code sent to the registered mobile opens the account."""
    if resident_of(request.user) is not None:
        return redirect("portal:home")
    provider = identity.provider()
    waiting = verification.pending(request, purpose="register")
    if waiting is None and request.method == "GET":
        messages.info(request, _("请先填写注册信息并获取验证码。"))
        return redirect("portal:register")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "resend" and waiting is not None:
                verification.send_code(
                    request, purpose="register", phone=waiting["phone"], payload=waiting["payload"]
                )
                messages.success(request, _("验证码已重新发送。"))
                return redirect("portal:register-confirm")
            code = form.cleaned_data["code"].strip()
            if not code:
                raise ValidationError({"code": _("请输入短信验证码。")})
            payload = verification.confirm(request, purpose="register", code=code)
            person = accounts.open_confirmed(
                person_id=payload["person"],
                phone=payload["phone"],
                provider=provider.key,
                password_hash=payload["password_hash"],
                ip=client_ip(request),
            )
        except ValidationError as e:
            put_errors(form, e)
            waiting = verification.pending(request, purpose="register")
        else:
            accounts.sign_in(request, person, provider=provider.key)
            messages.success(request, _("注册成功，已为您登录。"))
            return redirect("portal:home")
    phone = waiting["phone"] if waiting else ""
    return page(request, "portal/register_confirm.html", {"form": form, "phone": phone})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    accounts.sign_out(request)
    return redirect("portal:home")


@never_cache
@sensitive_post_parameters("current", "new", "new2")
@require_http_methods(["GET", "POST"])
@resident_required
def change_password(request: HttpRequest) -> HttpResponse:
    """修改登录密码; after a reset at the window the portal sends the resident here first."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.change_password(
                actor=request.actor,
                account=request.resident,
                current=form.cleaned_data["current"],
                new=form.cleaned_data["new"],
            )
        except ValidationError as e:
            put_errors(form, e)
        else:
            # Keep this session signed in; every other one ends with the old password.
            request.user.refresh_from_db(fields=["password"])
            update_session_auth_hash(request, request.user)
            messages.success(request, _("登录密码已修改。"))
            return redirect("portal:me")
    return page(request, "portal/password.html", {"form": form})
