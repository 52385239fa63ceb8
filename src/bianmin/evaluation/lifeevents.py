"""Evaluation's part of a life event (`core.lifecycle`).

DEATH of the one who raised a matter — the applicant of a badly rated case, a complainant:

- a bad review or complaint already answered and awaiting the call-back (回访) is closed as
  回访：未表态 by the system (`loop.close_without_feedback`): the word it waits for cannot
  come;
- one still being verified, acted on or answered runs on — it is also a finding about the
  service, counted in the month's figures and the stars — and closes at its answer, with no
  message to the deceased (`loop.answer`); an escalated one is the supervisors' to close.

Ratings already given stay. MOVE and MOVE_OUT: nothing (a matter belongs to the office it is
about, not to where its raiser lives).

The check `evaluation.feedback_of_deceased`: no matter awaiting the call-back of a deceased
person.
"""

from __future__ import annotations

from collections.abc import Iterator

from bianmin.core import lifecycle
from bianmin.core.lifecycle import Contradiction, LifeEvent
from bianmin.evaluation.models import Complaint, RectificationTask, Stage
from bianmin.registry.models import LifeStatus

CHECK = "evaluation.feedback_of_deceased"


def close_for_death(event: LifeEvent, actor) -> str | None:
    from bianmin.evaluation.services import complaints, loop, rectification

    closed = []
    tasks = RectificationTask.unscoped.filter(
        status=Stage.FEEDBACK, case__applicant_person_id=event.person_id
    ).order_by("pk")
    for task in tasks:
        loop.close_without_feedback(
            rectification.KIND, actor=actor, obj=task, notes=str(loop.DECEASED_NOTE)
        )
        closed.append(str(task))
    found = Complaint.unscoped.filter(
        status=Stage.FEEDBACK, complainant_person_id=event.person_id
    ).order_by("pk")
    for complaint in found:
        loop.close_without_feedback(
            complaints.KIND, actor=actor, obj=complaint, notes=str(loop.DECEASED_NOTE)
        )
        closed.append(str(complaint))
    if not closed:
        return None
    return f"待回访的差评整改、投诉办结{len(closed)}件（{'、'.join(closed)}），回访：未表态"


def check_feedback() -> Iterator[Contradiction]:
    dead = LifeStatus.DECEASED
    tasks = RectificationTask.unscoped.filter(
        status=Stage.FEEDBACK, case__applicant_person__life_status=dead
    ).values_list("pk", "case__applicant_person_id")
    for pk, person_id in tasks:
        yield Contradiction(
            check=CHECK,
            model="evaluation.RectificationTask",
            pk=pk,
            person_id=person_id,
            message=f"差评整改ZG{pk:06d}待回访，申请人已死亡",
        )
    found = Complaint.unscoped.filter(
        status=Stage.FEEDBACK, complainant_person__life_status=dead
    ).values_list("pk", "complaint_no", "complainant_person_id")
    for pk, number, person_id in found:
        yield Contradiction(
            check=CHECK,
            model="evaluation.Complaint",
            pk=pk,
            person_id=person_id,
            message=f"投诉{number}待回访，投诉人已死亡",
        )


def register() -> None:
    lifecycle.register_handler(lifecycle.DEATH, "evaluation.feedback", close_for_death, order=60)
    lifecycle.register_check(CHECK, check_feedback)
