"""Requests for access and the grants they lead to: a department asks, the owner decides."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor, AuditAction
from bianmin.registry.models import Division, Staff
from bianmin.sharing.models import AccessRequest, Grant, RequestStatus, SharedDataItem
from bianmin.sharing.services.common import is_admin, require_department_staff


def _item(code: str) -> SharedDataItem:
    item = SharedDataItem.objects.select_related("owner").filter(code=code).first()
    if item is None:
        raise ValidationError(
            {
                "item": ValidationError(
                    _("共享数据目录中没有“%(code)s”。"), code="unknown_item", params={"code": code}
                )
            }
        )
    return item


def _check_scope(prefix: str) -> str:
    prefix = (prefix or "").strip()
    if not prefix or not Division.objects.filter(prefix=prefix).exists():
        raise ValidationError(
            {
                "scope_prefix": ValidationError(
                    _("使用范围须为一个行政区划的代码前缀（如 4201 为全市）。"),
                    code="invalid_scope",
                )
            }
        )
    return prefix


def _check_until(until: dt.date, field: str) -> None:
    if until < timezone.localdate():
        raise ValidationError(
            {field: ValidationError(_("有效期不能早于今天。"), code="date_in_past")}
        )


@transaction.atomic
def request_access(
    *,
    actor: Actor,
    item_code: str,
    purpose: str,
    scope_prefix: str,
    until: dt.date,
    department_code: str | None = None,
) -> AccessRequest:
    """A department's request for an item (an administrator may file it for a department)."""
    staff = require_department_staff(actor)
    department_id = staff.department_id
    if is_admin(staff) and department_code:
        department_id = department_code
    if department_id is None:
        raise ValidationError(
            {"department": ValidationError(_("请选择申请部门。"), code="department_required")}
        )
    item = _item(item_code)
    if item.owner_id == department_id:
        raise ValidationError(
            _("“%(item)s”由本部门提供，无需申请。"), code="own_item", params={"item": item.name}
        )
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError(
            {"purpose": ValidationError(_("请说明数据用途。"), code="purpose_required")}
        )
    prefix = _check_scope(scope_prefix)
    _check_until(until, "requested_until")
    if AccessRequest.objects.filter(
        department_id=department_id, item=item, scope_prefix=prefix, status=RequestStatus.PENDING
    ).exists():
        raise ValidationError(_("已有相同的申请正在审批。"), code="duplicate_request")
    req = AccessRequest.objects.create(
        department_id=department_id,
        item=item,
        purpose=purpose,
        scope_prefix=prefix,
        requested_until=until,
        requested_by_id=actor.user_id,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="sharing_request",
        object_id=req.pk,
        object_label=f"{req.department_id} {item.code}",
        changes={"scope": prefix, "until": until.isoformat(), "purpose": purpose},
    )
    return req


def _owner_decides(actor: Actor, req: AccessRequest) -> Staff:
    staff = require_department_staff(actor)
    if not is_admin(staff) and staff.department_id != req.item.owner_id:
        raise PermissionDenied(
            _("只有数据提供部门（%(owner)s）可以审批。") % {"owner": req.item.owner.name}
        )
    return staff


def _locked(req: AccessRequest) -> AccessRequest:
    req = AccessRequest.objects.select_for_update().select_related("item__owner").get(pk=req.pk)
    if req.status != RequestStatus.PENDING:
        raise ValidationError(
            _("该申请已%(status)s，不能再审批。"),
            code="already_decided",
            params={"status": req.get_status_display()},
        )
    return req


@transaction.atomic
def approve(
    *,
    actor: Actor,
    request: AccessRequest,
    until: dt.date | None = None,
    scope_prefix: str | None = None,
    reason: str = "",
) -> Grant:
    """The owner approves, possibly for a shorter time or a smaller area than asked."""
    req = _locked(request)
    _owner_decides(actor, req)
    until = until or req.requested_until
    _check_until(until, "until")
    if until > req.requested_until:
        raise ValidationError(
            {"until": ValidationError(_("授权期限不能超过申请的期限。"), code="beyond_request")}
        )
    prefix = _check_scope(scope_prefix) if scope_prefix else req.scope_prefix
    if not prefix.startswith(req.scope_prefix):
        raise ValidationError(
            {
                "scope_prefix": ValidationError(
                    _("授权范围不能大于申请的范围。"), code="beyond_request"
                )
            }
        )
    now = timezone.now()
    req.status, req.decided_by_id, req.decided_at = RequestStatus.APPROVED, actor.user_id, now
    req.reason = (reason or "").strip()[:200]
    req.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    grant = Grant.objects.create(
        request=req,
        department_id=req.department_id,
        item=req.item,
        scope_prefix=prefix,
        valid_from=timezone.localdate(),
        valid_until=until,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="sharing_grant",
        object_id=grant.pk,
        object_label=f"{req.department_id} {req.item_id}",
        changes={"request": req.pk, "scope": prefix, "until": until.isoformat()},
    )
    return grant


@transaction.atomic
def refuse(*, actor: Actor, request: AccessRequest, reason: str) -> AccessRequest:
    req = _locked(request)
    _owner_decides(actor, req)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("不同意须说明理由。"), code="reason_required")}
        )
    req.status, req.decided_by_id, req.decided_at = (
        RequestStatus.REFUSED,
        actor.user_id,
        timezone.now(),
    )
    req.reason = reason[:200]
    req.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="sharing_request",
        object_id=req.pk,
        object_label=f"{req.department_id} {req.item_id}",
        changes={"status": req.status, "reason": reason},
    )
    return req


@transaction.atomic
def revoke(*, actor: Actor, grant: Grant, reason: str) -> Grant:
    """The owner (or an administrator) ends a grant before its expiry."""
    grant = Grant.objects.select_for_update().select_related("item__owner").get(pk=grant.pk)
    staff = require_department_staff(actor)
    if not is_admin(staff) and staff.department_id != grant.item.owner_id:
        raise PermissionDenied(_("只有数据提供部门可以撤销授权。"))
    if grant.revoked_at is not None:
        raise ValidationError(_("该授权已撤销。"), code="already_revoked")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("撤销须说明原因。"), code="reason_required")}
        )
    grant.revoked_at, grant.revoked_by_id, grant.revoke_reason = (
        timezone.now(),
        actor.user_id,
        reason[:200],
    )
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="sharing_grant",
        object_id=grant.pk,
        object_label=f"{grant.department_id} {grant.item_id}",
        changes={"revoked": True, "reason": reason},
    )
    return grant
