"""差评整改: the task a bad rating opens, worked through the shared loop (`loop.py`)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case
from bianmin.cases.services.common import notify_applicant
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditAction
from bianmin.evaluation import messages
from bianmin.evaluation.models import (
    FollowUp,
    Rating,
    RectificationTask,
    StaffRating,
    StepAction,
)
from bianmin.evaluation.services import loop
from bianmin.evaluation.services.common import today


def _concerned(task: FollowUp) -> set[int]:
    return set(
        StaffRating.unscoped.filter(rating_id=task.rating_id).values_list("staff_id", flat=True)
    )


def is_applicant(case: Case, actor: Actor, person=None) -> bool:
    """A resident acting for themselves: the account that applied online, or the person the
    portal identified (its sign-on verified the ID) being the applicant."""
    if actor.user_id is not None and actor.user_id == case.submitted_by_user_id:
        return True
    return person is not None and person.pk == case.applicant_person_id


def _notify(task: FollowUp, key: str, body: str) -> None:
    notify_applicant(_case(task), key=key, body=body)


def _case(task: FollowUp) -> Case:
    return Case.unscoped.select_related("item", "applicant_person", "applicant_org", "agent").get(
        pk=task.case_id
    )


KIND = loop.LoopKind(
    model=RectificationTask,
    object_type="rectification",
    step_fk="task",
    act_label="整改",
    verify_setting="RECTIFY_VERIFY_WORKDAYS",
    answer_setting="RECTIFY_WORKDAYS",
    concerned_staff=_concerned,
    raised_by=lambda task, actor, person: is_applicant(_case(task), actor, person),
    notify=_notify,
    answered_text=lambda task: messages.rectification_answered(task),
    resolved_text=lambda task, notes: messages.rectification_resolved(task, notes),
    label=lambda task: f"{task} {task.case.case_no}",
    raiser_id=lambda task: (
        Case.unscoped.filter(pk=task.case_id).values_list("applicant_person_id", flat=True).first()
    ),
)


def open_task(*, actor: Actor, rating: Rating, case: Case) -> RectificationTask:
    """Open the task for a bad rating, in the rating's transaction: assigned to the centre
    that accepted the case and the department that handled it, due in working days."""
    task = RectificationTask(
        rating=rating,
        case=case,
        org_unit_id=case.org_unit_id,
        department_id=case.item.department_id,
        area_code=case.area_code,
        opened_at=rating.rated_at,
        opened_on=today(),
    )
    loop.start_round(task, KIND)
    task.save()
    loop.record(
        KIND,
        task,
        actor=actor,
        action=StepAction.OPENED,
        from_status="",
        notes=rating.comment,
        audit_action=AuditAction.CREATE,
    )
    notify_applicant(
        case, key=f"rectification:{task.pk}:opened", body=messages.bad_rating_received(task)
    )
    return task


def access_task(*, actor: Actor, task_id: int) -> RectificationTask:
    """One task for display, within scope; audited (it shows the applicant and the case)."""
    task = (
        RectificationTask.objects.select_related("case__item", "rating", "org_unit", "department")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        if RectificationTask.unscoped.filter(pk=task_id).exists():
            raise OutOfScope()
        raise RectificationTask.DoesNotExist(_("差评整改任务不存在。"))
    audit.record(
        actor,
        AuditAction.READ,
        object_type="rectification",
        object_id=task.pk,
        object_label=f"{task} {task.case.case_no} {task.case.applicant_name}",
    )
    return task


@transaction.atomic
def verify_task(
    *, actor: Actor, task: RectificationTask, founded: bool, notes: str
) -> RectificationTask:
    """核实 (回访核实): founded → 整改; unfounded (e.g. a rating meant for another office) →
    straight to the answer, which explains it."""
    return loop.verify(KIND, actor=actor, obj=task, founded=founded, notes=notes)


@transaction.atomic
def rectify_task(*, actor: Actor, task: RectificationTask, notes: str) -> RectificationTask:
    """整改: what was changed (the measures)."""
    return loop.act(KIND, actor=actor, obj=task, notes=notes)


@transaction.atomic
def answer_task(*, actor: Actor, task: RectificationTask, answer: str) -> RectificationTask:
    """回复申请人: the answer is queued to the applicant by SMS (and the agent, the portal)."""
    return loop.answer(KIND, actor=actor, obj=task, text=answer)


@transaction.atomic
def task_feedback(
    *,
    actor: Actor,
    task: RectificationTask,
    satisfied: bool | None,
    notes: str = "",
    person=None,
) -> RectificationTask:
    """The applicant's word on the answer (staff call-back, or the applicant on the portal
    passing the `person` the portal identified)."""
    return loop.feedback(
        KIND, actor=actor, obj=task, satisfied=satisfied, notes=notes, person=person
    )


@transaction.atomic
def resolve_task(*, actor: Actor, task: RectificationTask, notes: str) -> RectificationTask:
    """督办办结 by a city supervisor."""
    return loop.resolve(KIND, actor=actor, obj=task, notes=notes)
