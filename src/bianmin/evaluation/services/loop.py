"""The one stage machine behind 差评整改 and 投诉 (see `models/loops.py` for the stages).

Written once and configured per kind (`LoopKind`): the HTML views, the API and the demo of
both kinds call `rectification.py` and `complaints.py`, which are thin typed wrappers around
these functions. Each transition locks the row within the acting user's scope, checks the
stage, writes a `LoopStep` and an audit entry, and queues messages — all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import SYSTEM, Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditAction
from bianmin.core.provisional import correct_each
from bianmin.evaluation import messages
from bianmin.evaluation.models import MAX_ROUNDS, RUNNING, FollowUp, LoopStep, Stage, StepAction
from bianmin.evaluation.services.common import (
    deadlines,
    error,
    require_handler,
    require_notes,
    setting,
    staff_of,
    today,
)
from bianmin.notifications.models import Channel
from bianmin.notifications.services import queue_message
from bianmin.registry.models import DivisionLevel, LifeStatus, Person, Role, Staff


@dataclass(frozen=True)
class LoopKind:
    """What differs between a rectification task and a complaint."""

    model: type[FollowUp]
    object_type: str  # audit object type
    step_fk: str  # LoopStep's foreign key to it
    act_label: str  # 整改 / 处理
    verify_setting: str
    answer_setting: str
    # Staff ids the matter is about: they may not handle it themselves.
    concerned_staff: Callable[[FollowUp], set[int]]
    # Is this non-staff actor (a resident on the portal) the one who raised the matter?
    raised_by: Callable[[FollowUp, Actor, object | None], bool]
    notify: Callable[[FollowUp, str, str], None]  # (obj, dedupe key, body)
    answered_text: Callable[[FollowUp], str]
    resolved_text: Callable[[FollowUp, str], str]
    label: Callable[[FollowUp], str]  # audit label
    # The registry person who raised the matter (the applicant, the complainant), if known.
    raiser_id: Callable[[FollowUp], int | None] = lambda obj: None


# What start_round sets: saved together whenever a round starts.
ROUND_FIELDS = (
    "round_started_on",
    "verify_workdays",
    "answer_workdays",
    "verify_due",
    "due_date",
    "due_provisional",
)


def start_round(obj: FollowUp, kind: LoopKind) -> None:
    """Deadlines of the round that starts today (the day itself does not count)."""
    obj.round_started_on = today()
    obj.verify_workdays = setting(kind.verify_setting)
    obj.answer_workdays = setting(kind.answer_setting)
    _apply_deadlines(obj)


def _apply_deadlines(obj: FollowUp) -> None:
    limits = deadlines(
        obj.round_started_on, verify_days=obj.verify_workdays, answer_days=obj.answer_workdays
    )
    obj.verify_due, obj.due_date, obj.due_provisional = (
        limits.verify_due,
        limits.due_date,
        limits.provisional,
    )


def correct_provisional(kind: LoopKind) -> int:
    """Recompute guessed deadlines of matters not yet answered (run by a job): once an
    administrator publishes the holiday notice of the year they fell in, the matter gets its
    real deadlines, a 期限校正 step in its history, and the applicant a message if the answer
    date moved. Returns how many changed."""
    pending = kind.model.unscoped.filter(
        status__in=RUNNING, due_provisional=True, round_started_on__isnull=False
    )
    return correct_each(pending, lambda obj: _correct_deadlines(kind, obj))


def _correct_deadlines(kind: LoopKind, obj: FollowUp) -> bool:
    before = (obj.verify_due, obj.due_date)
    _apply_deadlines(obj)
    if (obj.verify_due, obj.due_date) == before and obj.due_provisional:
        return False  # the year is still not published
    _save(obj, "verify_due", "due_date", "due_provisional")
    notes = _("核实期限 %(v0)s → %(v1)s；答复期限 %(d0)s → %(d1)s。") % {
        "v0": before[0].isoformat(),
        "v1": obj.verify_due.isoformat(),
        "d0": before[1].isoformat(),
        "d1": obj.due_date.isoformat(),
    }
    record(
        kind,
        obj,
        actor=SYSTEM,
        action=StepAction.DUE_CORRECTED,
        from_status=obj.status,
        notes=notes,
    )
    if obj.due_date != before[1]:
        key = f"{kind.object_type}:{obj.pk}:due:{obj.due_date}"
        kind.notify(obj, key, messages.due_corrected(obj))
    return True


def locked(kind: LoopKind, obj: FollowUp, *, applicant: bool = False) -> FollowUp:
    """Re-read under a row lock, within the acting user's scope (403 outside it): two clerks
    acting at once are serialised and the second fails its stage check cleanly. The applicant
    on the portal has no staff scope (`applicant=True`): `raised_by` decides for them."""
    manager = kind.model.unscoped if applicant else kind.model.objects
    found = manager.select_for_update().filter(pk=obj.pk).first()
    if found is None:
        if kind.model.unscoped.filter(pk=obj.pk).exists():
            raise OutOfScope()
        raise kind.model.DoesNotExist(_("记录不存在。"))
    return found


def invalid(obj: FollowUp, action: str):
    return error(
        "invalid_transition", number=str(obj), status=obj.get_status_display(), action=action
    )


def require_stage(obj: FollowUp, stages: tuple[str, ...], action: str) -> None:
    if obj.status not in stages:
        raise invalid(obj, action)


def handler(kind: LoopKind, obj: FollowUp, actor: Actor) -> Staff:
    staff = require_handler(actor)
    if staff.pk in kind.concerned_staff(obj):
        raise PermissionDenied(
            _("被评价或被投诉的工作人员不能办理针对本人的事项，请由其他人员办理。")
        )
    return staff


def record(
    kind: LoopKind,
    obj: FollowUp,
    *,
    actor: Actor,
    action: str,
    from_status: str,
    notes: str = "",
    late: bool = False,
    audit_action: str = AuditAction.UPDATE,
) -> LoopStep:
    """The history row and the audit entry of one transition, in the caller's transaction."""
    step = LoopStep.objects.create(
        **{kind.step_fk: obj},
        round=obj.round,
        action=action,
        from_status=from_status,
        to_status=obj.status,
        at=timezone.now(),
        actor_user_id=actor.user_id,
        actor_name=actor.name[:150],
        org_unit_code=actor.org_unit_code,
        notes=notes,
        late=late,
    )
    audit.record(
        actor,
        audit_action,
        object_type=kind.object_type,
        object_id=obj.pk,
        object_label=kind.label(obj),
        changes={"action": action, "from": from_status, "to": obj.status, "round": obj.round},
    )
    return step


def _save(obj: FollowUp, *fields: str) -> None:
    obj.save(update_fields=[*fields, "updated_at"])


def _late(obj: FollowUp, *, verify: bool = False) -> bool:
    due = obj.verify_due if verify else obj.due_date
    return today() > due


# --- the stages -----------------------------------------------------------------------------


def verify(kind: LoopKind, *, actor: Actor, obj: FollowUp, founded: bool, notes: str) -> FollowUp:
    """核实: what happened. Founded → act on it; unfounded → explain that in the answer."""
    obj = locked(kind, obj)
    require_stage(obj, (Stage.VERIFY,), _("核实"))
    handler(kind, obj, actor)
    notes = require_notes(notes, _("核实情况"))
    late = _late(obj, verify=True)
    from_status = obj.status
    obj.founded = bool(founded)
    obj.status = Stage.ACT if obj.founded else Stage.ANSWER
    obj.late = obj.late or late
    _save(obj, "founded", "status", "late")
    record(
        kind,
        obj,
        actor=actor,
        action=StepAction.VERIFIED,
        from_status=from_status,
        notes=notes,
        late=late,
    )
    return obj


def act(kind: LoopKind, *, actor: Actor, obj: FollowUp, notes: str) -> FollowUp:
    """整改 (a bad review) / 处理 (a complaint): what was done about it."""
    obj = locked(kind, obj)
    require_stage(obj, (Stage.ACT,), kind.act_label)
    handler(kind, obj, actor)
    notes = require_notes(notes, _("%(what)s措施") % {"what": kind.act_label})
    late = _late(obj)
    from_status = obj.status
    obj.status, obj.late = Stage.ANSWER, obj.late or late
    _save(obj, "status", "late")
    record(
        kind,
        obj,
        actor=actor,
        action=StepAction.ACTED,
        from_status=from_status,
        notes=notes,
        late=late,
    )
    return obj


def answer(kind: LoopKind, *, actor: Actor, obj: FollowUp, text: str) -> FollowUp:
    """答复申请人: the answer goes out by SMS (queued in this transaction)."""
    obj = locked(kind, obj)
    require_stage(obj, (Stage.ANSWER,), _("答复"))
    handler(kind, obj, actor)
    text = require_notes(text, _("答复内容"), field="answer")
    late = _late(obj)
    from_status = obj.status
    obj.status, obj.answer, obj.answered_at = Stage.FEEDBACK, text, timezone.now()
    obj.late = obj.late or late
    _save(obj, "status", "answer", "answered_at", "late")
    record(
        kind,
        obj,
        actor=actor,
        action=StepAction.ANSWERED,
        from_status=from_status,
        notes=text,
        late=late,
    )
    if raiser_deceased(kind, obj):
        # Nobody can read the answer or give feedback: the loop ends here, no message.
        return close_without_feedback(kind, actor=actor, obj=obj, notes=str(DECEASED_NOTE))
    kind.notify(obj, f"{kind.object_type}:{obj.pk}:answer:{obj.round}", kind.answered_text(obj))
    return obj


DECEASED_NOTE = _("申请人（投诉人）已死亡，不再回访。")


def raiser_deceased(kind: LoopKind, obj: FollowUp) -> bool:
    person_id = kind.raiser_id(obj)
    return (
        person_id is not None
        and Person.unscoped.filter(pk=person_id, life_status=LifeStatus.DECEASED).exists()
    )


def close_without_feedback(kind: LoopKind, *, actor: Actor, obj: FollowUp, notes: str) -> FollowUp:
    """回访：未表态 without a call-back, by the system: the one who raised the matter died (a
    life event), so the answer awaits a word that cannot come. The matter itself was verified
    and acted on; it counts in the figures as answered."""
    obj = kind.model.unscoped.select_for_update().get(pk=obj.pk)
    require_stage(obj, (Stage.FEEDBACK,), _("回访"))
    from_status = obj.status
    obj.status, obj.satisfied = Stage.CLOSED, None
    obj.closed_at, obj.closed_on = timezone.now(), today()
    _save(obj, "status", "satisfied", "closed_at", "closed_on")
    record(kind, obj, actor=actor, action=StepAction.NO_REPLY, from_status=from_status, notes=notes)
    return obj


def feedback(
    kind: LoopKind,
    *,
    actor: Actor,
    obj: FollowUp,
    satisfied: bool | None,
    notes: str = "",
    person=None,
) -> FollowUp:
    """回访: the applicant's word on the answer — recorded by staff who called them back, or
    given by the applicant on the portal. Satisfied, or no opinion after the call-back: closed.
    Unsatisfied: a second round from verification; after the second, the city supervisors."""
    obj = locked(kind, obj, applicant=staff_of(actor) is None)
    require_stage(obj, (Stage.FEEDBACK,), _("回访"))
    if staff_of(actor) is not None:
        handler(kind, obj, actor)
    elif not kind.raised_by(obj, actor, person):
        raise error("not_complainant" if kind.object_type == "complaint" else "not_applicant")
    from_status = obj.status
    fields = ["status", "satisfied"]
    if satisfied is None or satisfied:
        obj.status, obj.satisfied = Stage.CLOSED, satisfied
        obj.closed_at, obj.closed_on = timezone.now(), today()
        fields += ["closed_at", "closed_on"]
        action = StepAction.SATISFIED if satisfied else StepAction.NO_REPLY
    elif obj.round < MAX_ROUNDS:
        obj.round += 1
        obj.status, obj.satisfied, obj.founded = Stage.VERIFY, None, None
        start_round(obj, kind)
        fields += ["round", "founded", *ROUND_FIELDS]
        action = StepAction.UNSATISFIED
    else:
        obj.status, obj.satisfied, obj.escalated_at = Stage.ESCALATED, False, timezone.now()
        fields += ["escalated_at"]
        action = StepAction.UNSATISFIED
    _save(obj, *fields)
    record(kind, obj, actor=actor, action=action, from_status=from_status, notes=notes)
    if obj.status == Stage.ESCALATED:
        record(kind, obj, actor=actor, action=StepAction.ESCALATED, from_status=from_status)
        _notify_supervisors(kind, obj)
    return obj


def resolve(kind: LoopKind, *, actor: Actor, obj: FollowUp, notes: str) -> FollowUp:
    """督办办结: a city supervisor closes an escalated matter with the final answer."""
    obj = locked(kind, obj)
    require_stage(obj, (Stage.ESCALATED,), _("督办办结"))
    staff = handler(kind, obj, actor)
    if not is_city_supervisor(staff):
        raise PermissionDenied(_("提级督办的事项由市级监察人员办结。"))
    notes = require_notes(notes, _("督办意见"))
    from_status = obj.status
    obj.status, obj.closed_at, obj.closed_on = Stage.CLOSED, timezone.now(), today()
    _save(obj, "status", "closed_at", "closed_on")
    record(kind, obj, actor=actor, action=StepAction.RESOLVED, from_status=from_status, notes=notes)
    kind.notify(obj, f"{kind.object_type}:{obj.pk}:resolved", kind.resolved_text(obj, notes))
    return obj


# --- escalation -----------------------------------------------------------------------------


def is_city_supervisor(staff: Staff) -> bool:
    return staff.role == Role.ADMIN or (
        staff.role == Role.SUPERVISOR and staff.org_unit.division.level <= DivisionLevel.CITY
    )


def city_supervisors(area_code: str) -> list[Staff]:
    """The supervisors of the city (or province) the matter's area lies in."""
    return list(
        Staff.objects.filter(
            role=Role.SUPERVISOR,
            org_unit__division__level__lte=DivisionLevel.CITY,
            org_unit__division__prefix__in=[area_code[:2], area_code[:4]],
        ).select_related("user")
    )


def _notify_supervisors(kind: LoopKind, obj: FollowUp) -> None:
    what = _("差评整改") if kind.object_type == "rectification" else _("投诉")
    body = messages.escalated(str(obj), str(what))
    user_model = get_user_model()
    for staff in city_supervisors(obj.area_code):
        queue_message(
            dedupe_key=f"{kind.object_type}:{obj.pk}:escalated:{staff.pk}",
            body=body,
            channel=Channel.IN_APP,
            recipient_user=user_model(pk=staff.user_id),
            subject=str(obj),
            related_type=kind.object_type,
            related_id=obj.pk,
        )


__all__ = [
    "RUNNING",
    "LoopKind",
    "act",
    "answer",
    "city_supervisors",
    "close_without_feedback",
    "correct_provisional",
    "feedback",
    "is_city_supervisor",
    "locked",
    "raiser_deceased",
    "resolve",
    "start_round",
    "verify",
]
