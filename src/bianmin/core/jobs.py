"""Background jobs: one small registry, run by `bianmin worker` — or by any scheduler.

Apps register their periodic work in `AppConfig.ready()`:

    jobs.register("notifications.deliver", deliver_due, every=timedelta(seconds=10))
    jobs.register("queueing.no_shows", sweep_no_shows, daily_at=time(0, 10))

The embedded default needs no broker: `bianmin worker` loops over the registered jobs and
runs the due ones, one at a time. Several workers may run side by side (two machines, or a
restart overlapping the old process): a job is claimed with one conditional UPDATE of its
`JobRun` row ("… WHERE last_started is before the due moment"), which exactly one of them wins
on PostgreSQL and SQLite alike, so a periodic job never runs twice in one period.

In production a real scheduler can own the timetable instead (cron, Celery beat, Django's task
API): it calls `run_now(name)` — or `bianmin worker --once --only NAME` — and the job still
refuses to start while another process is running it. See docs/architecture.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import F, Q
from django.utils import timezone

from bianmin.core.masking import mask_text
from bianmin.core.models import JobRun

logger = logging.getLogger(__name__)

# A job whose run started longer ago than this and never recorded its end is taken to have
# died with its process; another worker may start it again.
DEFAULT_LEASE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], Any]
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None
    lease: dt.timedelta = DEFAULT_LEASE

    def due_since(self, now: dt.datetime) -> Q:
        """The condition on `last_started` under which the job is due at `now`."""
        due = Q(last_started__isnull=True)
        if self.every is not None:
            due |= Q(last_started__lte=now - self.every)
        if self.daily_at is not None:
            due |= Q(last_started__lt=last_daily_moment(self.daily_at, now))
        return due

    def is_due(self, run: JobRun | None, now: dt.datetime) -> bool:
        if run is None or run.last_started is None:
            return True
        if self.every is not None and run.last_started <= now - self.every:
            return True
        return self.daily_at is not None and run.last_started < last_daily_moment(
            self.daily_at, now
        )


_registry: dict[str, Job] = {}


def register(
    name: str,
    func: Callable[[], Any],
    *,
    every: dt.timedelta | None = None,
    daily_at: dt.time | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> Job:
    """Register (or replace: `ready()` may run more than once) a periodic job. With both
    `every` and `daily_at` it runs at the daily time and at least every `every` — one job, so
    two workers can never run the two schedules of it at once."""
    if every is None and daily_at is None:
        raise ValueError(f"job {name!r} needs every= or daily_at=")
    job = Job(name=name, func=func, every=every, daily_at=daily_at, lease=lease)
    _registry[name] = job
    return job


def registered() -> dict[str, Job]:
    return dict(_registry)


def get(name: str) -> Job:
    try:
        return _registry[name]
    except KeyError:
        known = ", ".join(sorted(_registry)) or "-"
        raise KeyError(f"no background job named {name!r} (known: {known})") from None


def last_daily_moment(at: dt.time, now: dt.datetime) -> dt.datetime:
    """The latest local `at` o'clock not after `now` (today's, or yesterday's before it)."""
    local = timezone.localtime(now)
    moment = timezone.make_aware(dt.datetime.combine(local.date(), at))
    if moment > now:
        moment = timezone.make_aware(dt.datetime.combine(local.date() - dt.timedelta(days=1), at))
    return moment


def _ensure_rows(names: list[str]) -> None:
    # ignore_conflicts: two workers starting together both try to insert the same names.
    JobRun.objects.bulk_create([JobRun(name=n) for n in names], ignore_conflicts=True)


def claim(job: Job, *, now: dt.datetime | None = None, force: bool = False) -> bool:
    """Mark the job started if it is due (or `force`) and not running elsewhere. One UPDATE:
    of several workers trying at the same moment, exactly one sees a row updated."""
    now = now or timezone.now()
    _ensure_rows([job.name])
    not_running = (
        Q(last_started__isnull=True)
        | Q(last_finished__gte=F("last_started"))
        | Q(last_started__lt=now - job.lease)
    )
    condition = not_running if force else not_running & job.due_since(now)
    return bool(
        JobRun.objects.filter(condition, name=job.name).update(last_started=now, last_ok=None)
    )


@dataclass
class Outcome:
    name: str
    ok: bool
    result: Any = None
    error: str = ""

    def __str__(self) -> str:
        if not self.ok:
            return f"{self.name}: 失败 failed — {self.error}"
        return f"{self.name}: {self.result}" if self.result is not None else f"{self.name}: ok"


def execute(job: Job) -> Outcome:
    """Run a claimed job and record how it ended. A failing job is logged and recorded, never
    raised: one broken job must not stop the worker from running the others."""
    try:
        result = job.func()
    except Exception as e:
        logger.exception("background job %s failed", job.name)
        outcome = Outcome(job.name, ok=False, error=mask_text(f"{type(e).__name__}: {e}")[:2000])
    else:
        outcome = Outcome(job.name, ok=True, result=result)
    JobRun.objects.filter(name=job.name).update(
        last_finished=timezone.now(), last_ok=outcome.ok, last_error=outcome.error
    )
    return outcome


def run_due(*, only: list[str] | None = None, now: dt.datetime | None = None) -> list[Outcome]:
    """One pass: run every registered job (or those in `only`) that is due, one after the
    other. Looks at all rows in one query and tries to claim only the due ones."""
    jobs = [get(n) for n in only] if only else list(_registry.values())
    now = now or timezone.now()
    runs = {r.name: r for r in JobRun.objects.filter(name__in=[j.name for j in jobs])}
    outcomes = []
    for job in jobs:
        if job.is_due(runs.get(job.name), now) and claim(job, now=now):
            outcomes.append(execute(job))
    return outcomes


def run_now(name: str) -> Outcome | None:
    """Run a job now, whatever its schedule: for cron or Celery beat, which own the timetable.
    None when another process is running it at this moment."""
    job = get(name)
    if not claim(job, force=True):
        return None
    return execute(job)


def run_forever(
    stop: threading.Event,
    *,
    only: list[str] | None = None,
    poll: float = 1.0,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> None:
    """The worker's loop: a pass over the due jobs every `poll` seconds until `stop` is set.
    A job in hand is finished before stopping (a message half-sent would be left 状态不明)."""
    while not stop.is_set():
        try:
            for outcome in run_due(only=only):
                if on_outcome is not None:
                    on_outcome(outcome)
        except Exception:
            # The database went away (restart, network): log it and try again next pass.
            logger.exception("background job pass failed")
        # Like the end of a request: drop broken or over-age connections while idle (never
        # one inside a transaction: only a test calls this from inside one).
        for conn in connections.all(initialized_only=True):
            if not conn.in_atomic_block:
                conn.close_if_unusable_or_obsolete()
        stop.wait(poll)
