"""/notifications/ — the administrator's page of messages delivery could not settle: failed
after the last attempt or refused by the gateway, and 状态不明 (SENDING past the lease)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from bianmin.core.errors import message_of
from bianmin.core.excel import export_filename, xlsx_response
from bianmin.core.masking import mask_text
from bianmin.notifications import services
from bianmin.notifications.channels import masked_recipient
from bianmin.notifications.exports import export_failed
from bianmin.notifications.queries import is_uncertain, needs_attention
from bianmin.workbench.common import admin_required, paginate


@admin_required
@require_GET
def failed_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    page = paginate(request, needs_attention(now=now))
    for message in page:
        message.uncertain = is_uncertain(message, now=now)
        message.recipient_masked = masked_recipient(message)
        message.body_masked = mask_text(message.body)
    return render(request, "notifications/failed.html", {"page": page, "query": ""})


@admin_required
@require_GET
def failed_export(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    response, _count = xlsx_response(
        export_filename("待处理消息"),
        lambda target: export_failed(
            actor=request.actor, messages=needs_attention(now=now), now=now, target=target
        ),
    )
    return response


_ACTIONS: dict[str, tuple[Callable, object]] = {
    "retry": (services.retry_message, _("已重新排队发送。")),
    "cancel": (services.cancel_message, _("已取消发送。")),
    "confirm": (services.confirm_sent, _("已确认为已发送。")),
}


@admin_required
@require_POST
def failed_action(request: HttpRequest, message_id: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise Http404
    service, done = _ACTIONS[action]
    try:
        service(actor=request.actor, message_id=message_id)
    except ValidationError as e:
        messages.error(request, message_of(e))
    else:
        messages.success(request, done)
    return redirect("notifications:failed")
