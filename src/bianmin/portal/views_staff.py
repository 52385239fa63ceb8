"""What staff do to a resident's online account from the person's profile."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.portal.models import ResidentAccount
from bianmin.portal.services.accounts import enable_account
from bianmin.registry.models import Person
from bianmin.registry.services.people import access_person
from bianmin.workbench.common import staff_required


@require_POST
@staff_required
def account_enable(request: HttpRequest, person_id: int) -> HttpResponse:
    """恢复网上办事账号: the person is read through the staff scope (403 outside it, audited)."""
    reason = request.POST.get("reason", "")
    try:
        person = access_person(actor=request.actor, person_id=person_id, purpose=reason)
    except Person.DoesNotExist:
        raise Http404(_("人口库中没有该人员。")) from None
    account = ResidentAccount.objects.filter(person=person).first()
    if account is None:
        raise Http404(_("该人员没有开通网上办事账号。"))
    try:
        enable_account(actor=request.actor, account=account, reason=reason)
    except ValidationError as e:
        for text in e.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("网上办事账号已恢复，本人可以重新登录。"))
    return redirect("workbench:person", pk=person.pk)
