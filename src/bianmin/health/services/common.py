"""Checks every health service shares: who may act on a record, which dates are possible."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core.scope import current_scope
from bianmin.health.models import HealthRecord, RecordStatus
from bianmin.health.models.scoping import is_health_team
from bianmin.registry.models import LifeStatus, Person

OUT_OF_AREA = _("该居民不属于您所在的健康服务团队管辖；查阅其健康档案须经共享授权并取得本人同意。")


class OutOfArea(PermissionDenied):
    def __init__(self, message=None):
        super().__init__(message or OUT_OF_AREA)


def ensure_health_area(area_code: str) -> None:
    """Refuse unless the acting user is the health team of `area_code` (CLI and jobs, which set
    no scope, act as the system)."""
    scope = current_scope.get()
    if scope is None:
        return
    if not (is_health_team(scope) and scope.covers(area_code)):
        raise OutOfArea()


def ensure_active(record: HealthRecord) -> None:
    if record.status != RecordStatus.ACTIVE:
        raise ValidationError(
            _("该健康档案已结案（%(reason)s），不能再登记。")
            % {"reason": record.get_close_reason_display()},
            code="record_closed",
        )


def check_service_date(day: dt.date, person: Person, *, field: str) -> None:
    """A service date can't be in the future, before birth, or after the person's death."""
    if day > timezone.localdate():
        raise ValidationError({field: ValidationError(_("日期不能晚于今天。"), code="future_date")})
    if day < person.birth_date:
        raise ValidationError(
            {field: ValidationError(_("日期不能早于出生日期。"), code="before_birth")}
        )
    if (
        person.life_status == LifeStatus.DECEASED
        and person.status_date is not None
        and day > person.status_date
    ):
        raise ValidationError(
            {field: ValidationError(_("日期晚于该居民的死亡日期。"), code="after_death")}
        )
