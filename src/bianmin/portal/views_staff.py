"""What staff do to a resident's online account from the person's profile."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.portal.models import ResidentAccount
from bianmin.portal.services.accounts import enable_account, reset_password
from bianmin.registry.models import Person
from bianmin.registry.services.people import access_person
from bianmin.workbench.common import staff_required


def _account(request: HttpRequest, person_id: int, purpose: str) -> ResidentAccount:
    """The person is read through the staff scope (403 outside it, audited)."""
    try:
        person = access_person(actor=request.actor, person_id=person_id, purpose=purpose)
    except Person.DoesNotExist:
        raise Http404(_("人口库中没有该人员。")) from None
    account = ResidentAccount.objects.select_related("person").filter(person=person).first()
    if account is None:
        raise Http404(_("该人员没有开通网上办事账号。"))
    return account


def _done(request: HttpRequest, call, success: str) -> None:
    try:
        call()
    except ValidationError as e:
        for text in e.messages:
            messages.error(request, text)
    else:
        messages.success(request, success)


@require_POST
@staff_required
def account_enable(request: HttpRequest, person_id: int) -> HttpResponse:
    """恢复网上办事账号 after a death registered by mistake was corrected."""
    reason = request.POST.get("reason", "")
    account = _account(request, person_id, reason)
    _done(
        request,
        lambda: enable_account(actor=request.actor, account=account, reason=reason),
        _("网上办事账号已恢复，本人可以重新登录。"),
    )
    return redirect("workbench:person", pk=person_id)


@require_POST
@staff_required
def account_reset_password(request: HttpRequest, person_id: int) -> HttpResponse:
    """重置登录密码 at the window (忘记密码): the temporary password goes by SMS to the account's
    phone; the clerk never sees it."""
    account = _account(request, person_id, _("重置网上办事登录密码"))
    checked = request.POST.get("identity_checked") == "on"
    _done(
        request,
        lambda: reset_password(actor=request.actor, account=account, identity_checked=checked),
        _("登录密码已重置，临时密码已通过短信发送到本人登录手机号。"),
    )
    return redirect("workbench:person", pk=person_id)
