"""Guessed deadlines put right once the calendar covers their year (a periodic job)."""

from __future__ import annotations

from bianmin.evaluation.services import complaints, loop, rectification


def correct_provisional_deadlines() -> int:
    """Both kinds of follow-up: rectification tasks and complaints. Returns how many changed."""
    return loop.correct_provisional(rectification.KIND) + loop.correct_provisional(complaints.KIND)
