"""Handling an accepted case: departments' reviews (并联审批, AB岗), the decision, delivery,
closure, termination, and the applicant's visits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases import results
from bianmin.cases.models import (
    OPEN_STATES,
    Case,
    CaseStatus,
    Decision,
    DeliveryMethod,
    EventAction,
    PauseKind,
    Review,
    ReviewStatus,
)
from bianmin.cases.services import messages
from bianmin.cases.services.absences import absent_on
from bianmin.cases.services.bundle_results import on_member_finished
from bianmin.cases.services.clock import end_pause, start_pause
from bianmin.cases.services.common import (
    in_department,
    invalid_transition,
    locked,
    moment,
    record_event,
    require_reason,
    require_staff,
    require_status,
    save,
)
from bianmin.cases.services.visits import record_visit_in
from bianmin.cases.signals import case_decided
from bianmin.catalog.models import ServiceItem, StepKind
from bianmin.core.audit import Actor
from bianmin.registry.models import Role, Staff

# --- reviews --------------------------------------------------------------------------------


def review_steps(item: ServiceItem) -> list:
    """The item version's review steps in order (prefetched steps: no query)."""
    return sorted(
        (s for s in item.steps.all() if s.kind == StepKind.REVIEW),
        key=lambda s: (s.parallel_group, s.seq),
    )


def review_rows(case: Case, item: ServiceItem, *, at: dt.datetime | None = None) -> list[Review]:
    """One Review per review step of the item version, not yet saved; the first parallel
    group opens at `at` (default now)."""
    steps = review_steps(item)
    if not steps:
        return []
    first, now = steps[0].parallel_group, at or timezone.now()
    return [
        Review(
            case=case,
            step=s,
            name=s.name,
            department_id=s.department_id,
            parallel_group=s.parallel_group,
            seq=s.seq,
            status=ReviewStatus.OPEN if s.parallel_group == first else ReviewStatus.WAITING,
            opened_at=now if s.parallel_group == first else None,
        )
        for s in steps
    ]


def create_reviews(case: Case, item: ServiceItem, *, at: dt.datetime | None = None) -> bool:
    """The case's reviews (`review_rows`), saved. Returns whether any review was created."""
    rows = review_rows(case, item, at=at)
    if rows:
        Review.objects.bulk_create(rows)
    return bool(rows)


def can_act_on(staff: Staff, review: Review, day: dt.date) -> bool:
    """A-post: the assignee. B-post: the assignee's backup while the assignee is away.
    Unassigned: any reviewer of the review's department (the case's scope already holds)."""
    if review.assignee_id is None:
        return staff.role == Role.ADMIN or (
            staff.role in (Role.DEPT_REVIEWER, Role.SUPERVISOR)
            and staff.department_id == review.department_id
        )
    if review.assignee_id == staff.pk:
        return True
    assignee = review.assignee
    return assignee.backup_id == staff.pk and absent_on(assignee.pk, day)


def _open_next_group(case: Case, at: dt.datetime) -> bool:
    """When the open group is done, open the next one; after a rejection later groups are
    skipped (the case can only be denied). Returns whether reviews remain to be done."""
    reviews = list(case.reviews.select_for_update().order_by("parallel_group", "seq", "id"))
    if any(r.status in (ReviewStatus.OPEN, ReviewStatus.RETURNED) for r in reviews):
        return True
    waiting = [r for r in reviews if r.status == ReviewStatus.WAITING]
    if not waiting:
        return False
    if any(r.status == ReviewStatus.REJECTED for r in reviews):
        Review.objects.filter(pk__in=[r.pk for r in waiting]).update(status=ReviewStatus.SKIPPED)
        return False
    group = waiting[0].parallel_group
    Review.objects.filter(pk__in=[r.pk for r in waiting if r.parallel_group == group]).update(
        status=ReviewStatus.OPEN, opened_at=at
    )
    return True


class ReviewDecision:
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    ALL = (APPROVE, RETURN, REJECT)


@transaction.atomic
def act_on_review(
    *,
    actor: Actor,
    review: Review,
    decision: str,
    opinion: str = "",
    missing: list[str] | None = None,
    on: dt.date | None = None,
) -> Review:
    """A department's review: approve; return to the applicant for supplement (the clock
    stops; the review reopens on resubmit); or reject with reasons. `on`: see
    `common.moment`."""
    day, at = moment(on)
    case = locked(review.case)
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("assignee", "department")
        .get(pk=review.pk)
    )
    staff = require_staff(actor, roles=[Role.DEPT_REVIEWER, Role.SUPERVISOR])
    if decision not in ReviewDecision.ALL:
        raise ValidationError(
            {"decision": ValidationError(_("审查结论无效。"), code="invalid_decision")}
        )
    require_status(case, [CaseStatus.IN_REVIEW], _("审查"))
    if case.paused_since is not None:
        raise ValidationError(
            _("办件正在暂停计时（特别程序）中，结束后再审查。"), code="case_suspended"
        )
    if review.status != ReviewStatus.OPEN:
        raise ValidationError(
            _("该审查当前为“%(status)s”，不能办理。"),
            code="invalid_transition",
            params={"status": review.get_status_display()},
        )
    if not can_act_on(staff, review, day):
        raise PermissionDenied(_("该审查已指定其他承办人，或不属于您的部门。"))
    if decision != ReviewDecision.APPROVE:
        opinion = require_reason(opinion, field="opinion")
    review.acted_by, review.acted_at, review.opinion = staff, at, opinion
    from_status = case.status
    department = review.department.name
    if decision == ReviewDecision.RETURN:
        review.status = ReviewStatus.RETURNED
        review.save()
        case.status = CaseStatus.RETURNED
        start_pause(
            case,
            actor=actor,
            kind=PauseKind.SUPPLEMENT,
            started_on=day,
            reason=opinion,
            review=review,
            at=at,
        )
        save(case, "status", "paused_since")
        names = _material_names(case, missing or []) or [opinion]
        record_event(
            case,
            actor=actor,
            action=EventAction.REVIEW_RETURNED,
            from_status=from_status,
            reason=opinion,
            data={"review_id": review.pk, "department": review.department_id, "missing": names},
            message=messages.returned(case, names),
            at=at,
        )
        return review
    approved = decision == ReviewDecision.APPROVE
    review.status = ReviewStatus.APPROVED if approved else ReviewStatus.REJECTED
    review.save()
    remaining = _open_next_group(case, at)
    record_event(
        case,
        actor=actor,
        action=EventAction.REVIEW_APPROVED if approved else EventAction.REVIEW_REJECTED,
        from_status=from_status,
        reason=opinion,
        data={
            "review_id": review.pk,
            "department": review.department_id,
            "reviews_remaining": remaining,
        },
        message=messages.review_done(case, department, approved),
        at=at,
    )
    return review


def _material_names(case: Case, codes: list[str]) -> list[str]:
    if not codes:
        return []
    names = dict(case.item.materials.filter(code__in=codes).values_list("code", "name"))
    return [names.get(c, c) for c in codes]


@transaction.atomic
def assign_review(
    *, actor: Actor, review: Review, assignee: Staff | None, on: dt.date | None = None
) -> Review:
    """Name the A-post reviewer (None: back to the department's shared queue). `on`: see
    `common.moment`."""
    _day, at = moment(on)
    staff = require_staff(actor, roles=[Role.DEPT_REVIEWER, Role.SUPERVISOR])
    case = locked(review.case)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not in_department(staff, review.department_id):
        raise PermissionDenied(_("只能为本部门的审查指定承办人。"))
    if assignee is not None and assignee.department_id != review.department_id:
        raise ValidationError(
            {
                "assignee": ValidationError(
                    _("承办人须为该审查部门的工作人员。"), code="wrong_department"
                )
            }
        )
    if review.done:
        raise ValidationError(_("该审查已完成。"), code="invalid_transition")
    review.assignee = assignee
    review.save(update_fields=["assignee"])
    record_event(
        case,
        actor=actor,
        action=EventAction.REVIEW_ASSIGNED,
        from_status=case.status,
        data={"review_id": review.pk, "assignee": assignee.pk if assignee else None},
        at=at,
    )
    return review


# --- decision, delivery, closure ------------------------------------------------------------


def _deciding_departments(case: Case) -> set[str]:
    decide_steps = {s.department_id for s in case.item.steps.all() if s.kind == StepKind.DECIDE}
    return decide_steps or {case.item.department_id}


@transaction.atomic
def decide(
    *,
    actor: Actor,
    case: Case,
    approve: bool,
    reasons: str = "",
    result: Mapping[str, Any] | None = None,
    on: dt.date | None = None,
) -> Case:
    """准予 / 不予: only when every review in every group is done. A decision is final:
    a second one is refused (`already_decided`). An approval carries the result fields the
    case's item calls for (`cases.results`: a first 残疾人证's assessment); a denial carries
    none. `on`: see `common.moment`."""
    _day, at = moment(on)
    case = locked(case)
    if case.decision:
        raise ValidationError(
            _("办件%(case_no)s已作出决定，不能重复决定。"),
            code="already_decided",
            params={"case_no": case.case_no},
        )
    require_status(case, [CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW], _("作出决定"))
    staff = require_staff(actor, roles=[Role.DEPT_REVIEWER, Role.SUPERVISOR])
    if not in_department(staff, *_deciding_departments(case)):
        raise PermissionDenied(_("只有决定部门的工作人员才能作出决定。"))
    if case.paused_since is not None:
        raise ValidationError(
            _("办件正在暂停计时（特别程序）中，结束后再作决定。"), code="case_suspended"
        )
    statuses = list(case.reviews.values_list("status", flat=True))
    if any(s in (ReviewStatus.OPEN, ReviewStatus.WAITING, ReviewStatus.RETURNED) for s in statuses):
        raise ValidationError(_("尚有部门审查未完成，不能作出决定。"), code="reviews_pending")
    if approve and ReviewStatus.REJECTED in statuses:
        raise ValidationError(_("有部门审查不通过，不能准予。"), code="review_rejected")
    if approve and case.pledge_open():
        raise ValidationError(_("容缺材料尚未补齐，不能准予。"), code="pledge_open")
    if not approve:
        reasons = require_reason(reasons, field="reasons")
    decided = results.clean(case, result) if approve else {}
    from_status = case.status
    case.status = CaseStatus.DECIDED
    case.decision = Decision.APPROVED if approve else Decision.DENIED
    case.decision_reasons, case.decided_at = (reasons or "").strip(), at
    case.decision_result = decided
    save(case, "status", "decision", "decision_reasons", "decided_at", "decision_result")
    record_event(
        case,
        actor=actor,
        action=EventAction.DECIDED,
        from_status=from_status,
        reason=case.decision_reasons,
        data={"decision": case.decision, **({"result": decided} if decided else {})},
        message=messages.decided(case),
        at=at,
    )
    case_decided.send(sender=Case, case=case, actor=actor, approved=approve, at=at, result=decided)
    on_member_finished(case)
    return case


@transaction.atomic
def deliver(*, actor: Actor, case: Case, method: str, on: dt.date | None = None) -> Case:
    """结果送达: window pick-up (an on-site visit), post, or electronic. `on`: see
    `common.moment`."""
    _day, at = moment(on)
    case = locked(case)
    require_status(case, [CaseStatus.DECIDED], _("送达结果"))
    staff = require_staff(actor)
    if method not in DeliveryMethod.values:
        raise ValidationError(
            {"method": ValidationError(_("送达方式无效。"), code="invalid_delivery_method")}
        )
    from_status = case.status
    case.status, case.delivery_method, case.delivered_at = CaseStatus.DELIVERED, method, at
    save(case, "status", "delivery_method", "delivered_at")
    if method == DeliveryMethod.WINDOW:
        record_visit_in(
            case, actor=actor, purpose=str(_("领取结果")), org_unit=staff.org_unit, at=at
        )
    record_event(
        case,
        actor=actor,
        action=EventAction.DELIVERED,
        from_status=from_status,
        data={"method": method},
        message=messages.delivered(case),
        at=at,
    )
    return case


@transaction.atomic
def close(*, actor: Actor, case: Case, on: dt.date | None = None, by_system: bool = False) -> Case:
    """办结. From `delivered`, or straight from `decided` (a result that needs no delivery).
    `on`: see `common.moment`. `by_system`: a life event told by a department's push (no staff
    account acts; see bianmin/cases/lifeevents.py)."""
    day, at = moment(on)
    case = locked(case)
    require_status(case, [CaseStatus.DECIDED, CaseStatus.DELIVERED], _("办结"))
    if not by_system:
        require_staff(actor)
    from_status = case.status
    case.status, case.closed_at, case.closed_on = CaseStatus.CLOSED, at, day
    save(case, "status", "closed_at", "closed_on")
    record_event(
        case,
        actor=actor,
        action=EventAction.CLOSED,
        from_status=from_status,
        data={"on_time": case.due_date is None or case.closed_on <= case.due_date},
        message=messages.closed(case),
        at=at,
    )
    return case


@transaction.atomic
def terminate(
    *, actor: Actor, case: Case, reason: str, on: dt.date | None = None, by_system: bool = False
) -> Case:
    """终止: the applicant withdrew, died, or the matter lapsed — from any open state.
    `on`: see `common.moment`; `by_system`: see `close`."""
    day, at = moment(on)
    case = locked(case)
    if case.status not in OPEN_STATES:
        raise invalid_transition(case, _("终止"))
    if not by_system:
        require_staff(actor)
    reason = require_reason(reason)
    from_status = case.status
    end_pause(case, ended_on=day)
    case.status, case.closed_at, case.closed_on = CaseStatus.TERMINATED, at, day
    save(case, "status", "paused_since", "paused_workdays", "closed_at", "closed_on")
    record_event(
        case,
        actor=actor,
        action=EventAction.TERMINATED,
        from_status=from_status,
        reason=reason,
        message=messages.terminated(case, reason),
        at=at,
    )
    on_member_finished(case)
    return case
