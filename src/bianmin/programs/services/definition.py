from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.programs import rules, schedule, visitforms
from bianmin.programs.models import (
    EnrolmentMode,
    EnrolmentStatus,
    PlanAnchor,
    Program,
    Sector,
)
from bianmin.registry.models import OrgUnitKind, Role

SCHEDULE_FIELDS = (
    "schedule_kind",
    "interval_months",
    "plan_offsets",
    "plan_anchor",
    "plan_window_days",
    "yearly_due",
    "first_visit_days",
    "counted_kinds",
)


@transaction.atomic
def define_program(
    *,
    actor: Actor,
    code: str,
    name: str,
    sector: str,
    schedule_kind: str,
    eligibility: dict[str, Any] | None = None,
    interval_months: int | None = None,
    plan_offsets: Sequence[int] = (),
    plan_anchor: str = PlanAnchor.BIRTH,
    plan_window_days: int = 30,
    yearly_due: str = "12-31",
    first_visit_days: int = 30,
    counted_kinds: Sequence[str] = (),
    form_schema: Sequence[dict[str, Any]] = (),
    outcomes: Sequence[Sequence[str]] = (),
    enrolment_mode: str = EnrolmentMode.MANUAL,
    responsible_unit_kind: str = "",
    responsible_role: str = "",
    restricted_to: str | None = None,
    description: str = "",
    active: bool = True,
) -> Program:
    """Create or update (by `code`) a program. Idempotent, so loaders and migrations can call
    it on every run; a schedule change recomputes every active enrolment's next due date."""
    if not code or not name:
        raise ValidationError(_("请填写项目代码和名称。"), code="required")
    if sector not in Sector.values:
        raise ValidationError({"sector": ValidationError(_("领域无效。"), code="invalid_choice")})
    if enrolment_mode not in EnrolmentMode.values:
        raise ValidationError(_("纳入方式无效。"), code="invalid_choice")
    if plan_anchor not in PlanAnchor.values:
        raise ValidationError(_("计划起算方式无效。"), code="invalid_choice")
    if responsible_unit_kind and responsible_unit_kind not in OrgUnitKind.values:
        raise ValidationError(_("责任单位类型无效。"), code="invalid_choice")
    if responsible_role and responsible_role not in Role.values:
        raise ValidationError(_("责任岗位无效。"), code="invalid_choice")
    rules.validate_rule(eligibility or {})
    schedule.validate_schedule(
        kind=schedule_kind,
        interval_months=interval_months,
        plan_offsets=plan_offsets,
        yearly_due=yearly_due,
        counted_kinds=counted_kinds,
    )
    visitforms.validate_schema(list(form_schema))
    values = {
        "name": name,
        "sector": sector,
        "description": description,
        "eligibility": eligibility or {},
        "enrolment_mode": enrolment_mode,
        "schedule_kind": schedule_kind,
        "interval_months": interval_months,
        "plan_offsets": list(plan_offsets),
        "plan_anchor": plan_anchor,
        "plan_window_days": plan_window_days,
        "yearly_due": yearly_due,
        "first_visit_days": first_visit_days,
        "counted_kinds": list(counted_kinds),
        "form_schema": list(form_schema),
        "outcomes": [list(o) for o in outcomes],
        "responsible_unit_kind": responsible_unit_kind,
        "responsible_role": responsible_role,
        "restricted_to_id": restricted_to,
        "active": active,
    }
    program = Program.objects.select_for_update().filter(code=code).first()
    created = program is None
    schedule_changed = not created and any(
        getattr(program, f) != values[f] for f in SCHEDULE_FIELDS
    )
    program = program or Program(code=code)
    for k, v in values.items():
        setattr(program, k, v)
    program.save()
    if schedule_changed:
        from bianmin.programs.services.visits import recompute_next_due

        for enrolment in program.enrolments.model.unscoped.filter(
            program=program, status=EnrolmentStatus.ACTIVE
        ):
            recompute_next_due(enrolment)
    audit.record(
        actor,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type="programs.program",
        object_id=program.pk,
        object_label=program.name,
        changes={"code": code, "schedule_changed": schedule_changed},
    )
    return program
