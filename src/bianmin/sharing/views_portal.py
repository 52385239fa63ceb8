"""The resident's 数据授权 page: consent to sharing each sensitive item, or withdraw it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bianmin.portal.access import resident_required
from bianmin.portal.views_common import page
from bianmin.sharing import queries, services
from bianmin.sharing.models import Consent


@resident_required
def consents(request: HttpRequest) -> HttpResponse:
    rows = queries.consents_of(request.person)
    reads = list(queries.reads_of(request.person)[:20])
    return page(request, "sharing/consents.html", {"rows": rows, "reads": reads})


@resident_required
@require_POST
def give(request: HttpRequest, code: str) -> HttpResponse:
    try:
        consent = services.grant_consent(actor=request.actor, person=request.person, item_code=code)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("已授权共享“%(item)s”。") % {"item": consent.item.name})
    return redirect("sharing:consents")


@resident_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_object_or_404(
        Consent.unscoped.select_related("item"), pk=pk, person=request.person
    )
    try:
        services.withdraw_consent(actor=request.actor, person=request.person, consent=consent)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("已撤回对“%(item)s”的授权。") % {"item": consent.item.name})
    return redirect("sharing:consents")
