"""The period selector of pages that show library figures (电子监察, 好差评, the values page):
a month, a quarter or a year, the current month by default. Reports are monthly, quarterly and
yearly, so the pages offer those periods rather than free date ranges — the figure for a period
is then the one the ledger, the API and the stored values give."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from bianmin.core.errors import message_of
from bianmin.indicators.periods import Period, recent


def selected_period(text: str | None, today: dt.date) -> tuple[Period, str]:
    """(the period asked for, "") or, for a bad one, (the current month, the error message)."""
    current = Period.of(today)
    if not (text or "").strip():
        return current, ""
    try:
        return Period.parse(text.strip()), ""
    except ValidationError as e:
        return current, message_of(e)


def period_choices(selected: Period, today: dt.date) -> list[Period]:
    """What the selector lists: recent months, quarters and years, and the selected period
    when it is older."""
    choices = recent(today)
    if selected not in choices:
        choices.append(selected)
    return choices
