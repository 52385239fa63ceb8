"""Health records for anyone outside the resident's area health team: only the summary
(`health_summary`, a sensitive item of the sharing catalogue owned by 卫健), only through the
sharing gate (grant + the resident's consent), logged there and audited.

The gate lets the owning department read its own items freely; seed 002 asks more of a health
record ("其它机构或个人需要使用健康档案时…经本人或其监护人同意后，方可使用"), so a health
worker of *another* area also needs the resident's consent, checked here before the gate."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.core.audit import Actor
from bianmin.core.scope import current_scope
from bianmin.health.models import Condition, HealthCheck, HealthRecord, RecordStatus
from bianmin.health.models.records import ConditionStatus
from bianmin.health.models.scoping import HEALTH_DEPARTMENT, is_health_team
from bianmin.health.services import records
from bianmin.registry.models import Person

ITEM = "health_summary"


def summary(person: Person) -> dict[str, Any] | None:
    """The provider: 建档机构, 慢病管理, 最近随访 (the catalogue's fields) and the record code.
    Unscoped on purpose: the sharing gate has already decided."""
    record = (
        HealthRecord.unscoped.select_related("institution__org_unit")
        .filter(person_id=person.pk)
        .first()
    )
    if record is None:
        return None
    chronic = Condition.unscoped.filter(record=record, status=ConditionStatus.ACTIVE).exclude(
        category="other"
    )
    last = (
        HealthCheck.unscoped.filter(record=record, kind="follow_up")
        .order_by("-checked_on", "-id")
        .first()
    )
    return {
        "档案编号": record.record_code,
        "建档机构": str(record.institution) if record.institution else "",
        "慢病管理": "、".join(f"{c.get_category_display()}（{c.icd10}）" for c in chronic) or "无",
        "最近随访": last.checked_on.isoformat() if last else "无",
        "档案状态": record.get_status_display()
        if record.status == RecordStatus.ACTIVE
        else f"{record.get_status_display()}（{record.get_close_reason_display()}）",
    }


def register() -> None:
    try:
        from bianmin.sharing import providers
    except ImportError:  # the sharing app is optional for the health app
        return
    providers.register(ITEM, summary)


def read_summary(*, actor: Actor, record_code: str, purpose: str) -> dict[str, Any] | None:
    """The record's summary for whoever asks: the area's health team reads it directly
    (audited); anyone else goes through the sharing gate, which refuses without a grant or
    consent (`AccessDenied` with its code) and logs the access."""
    record = HealthRecord.unscoped.select_related("person").filter(record_code=record_code).first()
    if record is None:
        raise HealthRecord.DoesNotExist(_("没有该编号的健康档案。"))
    scope = current_scope.get()
    if scope is None or (is_health_team(scope) and scope.covers(record.area_code)):
        records.access_record(actor=actor, record_code=record_code, purpose=purpose)
        return summary(record.person)
    from bianmin.sharing.models import Consent
    from bianmin.sharing.services.access import AccessDenied, fetch

    if scope.department_code == HEALTH_DEPARTMENT:
        consented = Consent.unscoped.filter(
            person=record.person, item_id=ITEM, withdrawn_at__isnull=True
        ).filter(Q(department__isnull=True) | Q(department_id=HEALTH_DEPARTMENT))
        if not consented.exists():
            raise AccessDenied(
                str(_("该居民不在您的管辖区域，调取其健康档案摘要须经本人授权。")),
                code="no_consent",
            )
    return fetch(actor=actor, item_code=ITEM, person=record.person, purpose=purpose)
