"""好差评: `rate_case`, the one way a rating is written — at the window's evaluator device, on
the portal, by SMS reply, or by the village agent on the applicant's behalf."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from bianmin.cases.models import Case, CaseEvent, CaseStatus, EventAction
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.identifiers import normalize_mobile
from bianmin.core.models import AuditAction
from bianmin.evaluation.models import BAD_LEVELS, Rating, RatingChannel, RatingLevel, StaffRating
from bianmin.evaluation.services.common import error, staff_of, today
from bianmin.evaluation.services.rectification import is_applicant, open_task
from bianmin.registry.models import Role, Staff
from bianmin.registry.services.people import hash_of

RATEABLE = frozenset({CaseStatus.DELIVERED, CaseStatus.CLOSED})


@dataclass(frozen=True)
class StaffScore:
    """A level for one window staff member of the case (else they get the overall level)."""

    staff_id: int
    level: int


@dataclass(frozen=True)
class WindowStaff:
    staff: Staff
    accepted: bool = False
    delivered: bool = False


def window_staff(case: Case) -> list[WindowStaff]:
    """Who served the applicant at a window: the staff who accepted the case and who delivered
    its result (from the case history), in that order, one entry per person."""
    events = list(
        CaseEvent.objects.filter(
            case=case,
            action__in=[EventAction.ACCEPTED, EventAction.DELIVERED],
            actor_user__isnull=False,
        )
        .order_by("at", "id")
        .values_list("action", "actor_user_id")
    )
    by_user = {
        s.user_id: s
        for s in Staff.objects.select_related("org_unit").filter(
            user_id__in={u for _a, u in events}
        )
    }
    found: dict[int, WindowStaff] = {}
    for action, user_id in events:
        staff = by_user.get(user_id)
        if staff is None:
            continue
        entry = found.get(staff.pk, WindowStaff(staff))
        found[staff.pk] = WindowStaff(
            staff,
            accepted=entry.accepted or action == EventAction.ACCEPTED,
            delivered=entry.delivered or action == EventAction.DELIVERED,
        )
    return list(found.values())


def _check_level(level: int, field: str = "level") -> int:
    try:
        value = int(level)
    except (TypeError, ValueError):
        raise error("invalid_level", field) from None
    if value not in RatingLevel.values:
        raise error("invalid_level", field)
    return value


def _matches_id(case: Case, id_number: str) -> bool:
    digest = hash_of(id_number)
    if case.applicant_person_id is not None:
        return case.applicant_person.id_hash == digest
    rep = case.applicant_org.legal_rep if case.applicant_org else None
    return rep is not None and rep.id_hash == digest


def _matches_phone(case: Case, phone: str) -> bool:
    number = normalize_mobile(phone)
    if case.applicant_person_id is not None:
        return case.applicant_person.phone == number
    return case.applicant_org is not None and case.applicant_org.phone == number


def _rater(
    case: Case, *, actor: Actor, channel: str, person, id_number: str, phone: str
) -> Staff | None:
    """Check that the applicant rates; return the agent when an agent rates for them.

    A staff account rates only as the case's own village agent (代为评价, recorded), or through
    the window's evaluator device with the applicant's ID card read: a clerk can never rate
    their own service. A resident's account rates its own online application or, on the
    portal, as the person the portal identified; an SMS reply counts from the applicant's
    registered mobile."""
    staff = staff_of(actor)
    if staff is not None:
        if staff.role == Role.VILLAGE_AGENT and case.agent_id == staff.pk:
            return staff
        if channel == RatingChannel.WINDOW_DEVICE and id_number and _matches_id(case, id_number):
            return None
        raise error("not_applicant")
    if channel == RatingChannel.SMS:
        if phone and _matches_phone(case, phone):
            return None
        raise error("not_applicant")
    if is_applicant(case, actor, person):
        return None
    if id_number and _matches_id(case, id_number):
        return None
    raise error("not_applicant")


def _find_case(actor: Actor, case: Case | str) -> Case:
    """Staff reach only the cases of their scope; the applicant's own case is reached whatever
    the (resident's empty) scope — the identity checks decide."""
    lookup = {"case_no": case} if isinstance(case, str) else {"pk": case.pk}
    manager = Case.objects if staff_of(actor) is not None else Case.unscoped
    pk = manager.filter(**lookup).values_list("pk", flat=True).first()
    if pk is None:
        if Case.unscoped.filter(**lookup).exists():
            raise OutOfScope()
        raise error("unknown_case", "case_no", case_no=lookup.get("case_no", case))
    Case.unscoped.select_for_update().filter(pk=pk).values_list("pk").get()  # lock the case
    return Case.unscoped.select_related(
        "item", "applicant_person", "applicant_org__legal_rep", "agent", "org_unit"
    ).get(pk=pk)


@transaction.atomic
def rate_case(
    *,
    actor: Actor,
    case: Case | str,
    level: int,
    channel: str,
    comment: str = "",
    staff_scores: Sequence[StaffScore] = (),
    person=None,
    id_number: str = "",
    phone: str = "",
) -> Rating:
    """Rate a delivered or closed case, once (`already_rated` the second time), as its
    applicant (`not_applicant` otherwise — see `_rater` for what proves it).

    The window staff of the case (who accepted, who delivered) are rated with the overall
    level unless `staff_scores` gives their own. A bad level (不满意/非常不满意), overall or
    for a staff member, needs a reason and opens a `RectificationTask` in this transaction.
    """
    level = _check_level(level)
    if channel not in RatingChannel.values:
        raise error("invalid_channel", "channel")
    comment = (comment or "").strip()
    scores = {s.staff_id: _check_level(s.level, "staff") for s in staff_scores}
    bad = level in BAD_LEVELS or any(v in BAD_LEVELS for v in scores.values())
    if bad and len(comment) < 2:
        raise error("comment_required", "comment")
    case = _find_case(actor, case)
    agent = _rater(
        case, actor=actor, channel=channel, person=person, id_number=id_number, phone=phone
    )
    if case.status not in RATEABLE:
        raise error("case_not_closed", case_no=case.case_no, status=case.get_status_display())
    if Rating.unscoped.filter(case=case).exists():
        raise error("already_rated", case_no=case.case_no)
    served = window_staff(case)
    known = {w.staff.pk for w in served}
    for staff_id in scores:
        if staff_id not in known:
            other = Staff.objects.filter(pk=staff_id).values_list("display_name", flat=True)
            raise error("staff_not_on_case", "staff", name=other.first() or staff_id)
    now = timezone.now()
    try:
        with transaction.atomic():
            rating = Rating.unscoped.create(
                case=case,
                level=level,
                comment=comment,
                channel=channel,
                rater_name=case.applicant_name,
                agent=agent,
                entered_by_user_id=actor.user_id,
                org_unit_id=case.org_unit_id,
                department_id=case.item.department_id,
                area_code=case.area_code,
                rated_at=now,
                rated_on=today(),
            )
    except IntegrityError:
        # A concurrent submission for the same case committed first.
        raise error("already_rated", case_no=case.case_no) from None
    StaffRating.unscoped.bulk_create(
        StaffRating(
            rating=rating,
            staff=w.staff,
            level=scores.get(w.staff.pk, level),
            accepted=w.accepted,
            delivered=w.delivered,
            org_unit_id=w.staff.org_unit_id,
            area_code=case.area_code,
            rated_on=rating.rated_on,
        )
        for w in served
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="rating",
        object_id=rating.pk,
        object_label=f"{case.case_no} {rating.get_level_display()}",
        changes={
            "level": level,
            "channel": channel,
            "agent": agent.pk if agent else None,
            "staff": {str(w.staff.pk): scores.get(w.staff.pk, level) for w in served},
        },
    )
    if bad:
        open_task(actor=actor, rating=rating, case=case)  # also cached as rating.task
    return rating
