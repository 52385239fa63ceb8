"""The one place queueing asks for the time, so tests can stand at a fixed moment of a known
working day (`monkeypatch.setattr(clock, "now", ...)`) instead of depending on today's date."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def at(day: dt.date, time: dt.time) -> dt.datetime:
    """A local wall-clock time on a day, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, time))
