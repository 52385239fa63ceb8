"""The clock of a case: its due date recomputed from its parts, and pauses started and
ended. No event and no save of the case here: the calling transition writes those.

    due = add_workdays(accepted_on, promised_days + paused_workdays + extended_workdays)

so it stays right however many pauses and extensions a case has, and a calendar correction
(a published holiday notice) is picked up by the next recomputation. A pause's working days
are those in (started_on, ended_on] — `workdays_between`'s convention: the day the clock
stops has been used, the day it restarts is given back.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case, ClockPause, Review
from bianmin.core.audit import Actor
from bianmin.core.workdays import add_workdays_provisional, workdays_between_provisional


def refresh_due(case: Case) -> None:
    """Recompute `due_date` / `due_provisional` from the case's parts (not saved)."""
    allowed = case.promised_days + case.paused_workdays + case.extended_workdays
    result = add_workdays_provisional(case.accepted_on, allowed)
    case.due_date, case.due_provisional = result.value, result.provisional


def pause_row(
    case: Case,
    *,
    actor: Actor,
    kind: str,
    started_on: dt.date,
    reason: str = "",
    review: Review | None = None,
    at: dt.datetime | None = None,
) -> ClockPause:
    """A pause starting on `started_on`, not yet saved; the case's clock stops (not saved)."""
    case.paused_since = started_on
    return ClockPause(
        case=case,
        kind=kind,
        reason=reason,
        started_on=started_on,
        counts=case.accepted_on is not None,
        review=review,
        started_by_id=actor.user_id,
        created_at=at or timezone.now(),
    )


def start_pause(
    case: Case,
    *,
    actor: Actor,
    kind: str,
    started_on: dt.date,
    reason: str = "",
    review: Review | None = None,
    at: dt.datetime | None = None,
) -> ClockPause:
    """Stop the clock (no event: the calling transition writes it)."""
    pause = pause_row(
        case,
        actor=actor,
        kind=kind,
        started_on=started_on,
        reason=reason,
        review=review,
        at=at,
    )
    pause.save(force_insert=True)
    return pause


def end_pause(case: Case, *, ended_on: dt.date) -> ClockPause | None:
    """Restart the clock: the paused working days move the due date (not saved)."""
    pause = case.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        case.paused_since = None
        return None
    if ended_on < pause.started_on:
        raise ValidationError(
            {"end": ValidationError(_("恢复日期不能早于暂停日期。"), code="pause_end_before_start")}
        )
    days = workdays_between_provisional(pause.started_on, ended_on).value if pause.counts else 0
    pause.ended_on, pause.workdays = ended_on, days
    pause.save(update_fields=["ended_on", "workdays"])
    case.paused_since = None
    case.paused_workdays += days
    if case.accepted_on is not None:
        refresh_due(case)
    return pause
