"""The background-job registry and `bianmin worker`: schedules, one claim per period however
many workers ask, failures recorded, and the apps' jobs run by `worker --once`."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from bianmin.core import jobs
from bianmin.core.models import JobRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """The apps' registrations, restored after the test adds its own."""
    saved = dict(jobs._registry)
    yield jobs._registry
    jobs._registry.clear()
    jobs._registry.update(saved)


def counter_job(name: str, **schedule) -> tuple[jobs.Job, list[int]]:
    calls: list[int] = []
    return jobs.register(name, lambda: calls.append(1) or len(calls), **schedule), calls


def at(hour: int, minute: int = 0, day: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 3, day, hour, minute))


def test_the_apps_register_their_jobs():
    assert {
        "notifications.deliver",
        "cases.deadlines",
        "queueing.no_shows",
        "registry.imports",
    } <= set(jobs.registered())
    assert jobs.get("cases.deadlines").daily_at == dt.time(0, 30)
    with pytest.raises(ValueError):
        jobs.register("nothing", print)


def test_an_every_job_is_claimed_once_per_period(registry):
    job, _calls = counter_job("t.every", every=dt.timedelta(hours=1))
    t = at(9)
    assert jobs.claim(job, now=t)
    # a second worker at the same moment: already started (and still running)
    assert not jobs.claim(job, now=t)
    jobs.execute(job)
    assert not jobs.claim(job, now=t + dt.timedelta(minutes=30))
    assert jobs.claim(job, now=t + dt.timedelta(minutes=60))


def test_a_daily_job_runs_after_its_time_and_catches_up(registry):
    job, _calls = counter_job("t.daily", daily_at=dt.time(0, 30))
    assert jobs.last_daily_moment(dt.time(0, 30), at(0, 10)) == at(0, 30, day=9)
    assert jobs.last_daily_moment(dt.time(0, 30), at(9)) == at(0, 30)
    assert jobs.claim(job, now=at(23, day=9))
    jobs.execute(job)
    assert not jobs.claim(job, now=at(0, 29))
    # the worker was down at 00:30: it runs the job when it comes back at 09:00
    assert jobs.claim(job, now=at(9))
    jobs.execute(job)
    assert not jobs.claim(job, now=at(23))


def test_a_job_dead_with_its_worker_is_claimable_after_the_lease(registry):
    job, _calls = counter_job("t.lease", every=dt.timedelta(seconds=10))
    assert jobs.claim(job, now=at(9))
    # never finished: not taken while the lease runs, taken after
    assert not jobs.claim(job, now=at(9, 30))
    assert jobs.claim(job, now=at(10, 1))


def test_two_workers_one_run(registry):
    """Two worker processes looking at the same moment (sequentially here; in parallel on
    PostgreSQL in test_jobs_concurrency): the conditional UPDATE lets one through."""
    _job, calls = counter_job("t.once", every=dt.timedelta(minutes=5))
    now = timezone.now()
    first = jobs.run_due(only=["t.once"], now=now)
    second = jobs.run_due(only=["t.once"], now=now)
    assert [o.ok for o in first] == [True] and second == [] and calls == [1]
    run = JobRun.objects.get(name="t.once")
    assert run.last_ok is True and run.last_finished >= run.last_started


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(registry):
    def broken():
        raise RuntimeError("gateway 13812345678 down")

    jobs.register("t.broken", broken, every=dt.timedelta(minutes=1))
    _job, calls = counter_job("t.fine", every=dt.timedelta(minutes=1))
    outcomes = jobs.run_due(only=["t.broken", "t.fine"])
    assert [(o.name, o.ok) for o in outcomes] == [("t.broken", False), ("t.fine", True)]
    assert calls == [1]
    run = JobRun.objects.get(name="t.broken")
    assert run.last_ok is False and "RuntimeError" in run.last_error
    assert "13812345678" not in run.last_error and "138****5678" in run.last_error


def test_worker_once_runs_the_due_jobs_and_delivers_messages(registry, settings, tmp_path):
    from bianmin.notifications.models import OutboxMessage, OutboxStatus
    from bianmin.notifications.services import queue_message

    settings.BIANMIN = {
        **settings.BIANMIN,
        "NOTIFY_CHANNELS": {"sms": "file", "in_app": "in_app"},
        "NOTIFY_FILE_DIR": tmp_path,
    }
    queue_message(dedupe_key="t:1", body="【便民服务】测试", recipient_address="13812345678")
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    text = out.getvalue()
    assert "notifications.deliver: 发送 1 条：成功 1" in text
    assert "cases.deadlines" in text and "queueing.no_shows" in text
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
    assert (tmp_path / "sms.jsonl").exists()
    # nothing is due a moment later
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert out.getvalue() == ""


def test_worker_once_only_runs_the_named_job_now(registry):
    _job, calls = counter_job("t.cron", daily_at=dt.time(3, 0))
    out = io.StringIO()
    call_command("worker", "--once", "--only", "t.cron", stdout=out)
    # with --only the caller (cron, Celery beat) owns the schedule: it runs again at once
    call_command("worker", "--once", "--only", "t.cron", stdout=out)
    assert calls == [1, 1] and out.getvalue().splitlines() == ["t.cron: 1", "t.cron: 2"]
    with pytest.raises(CommandError, match="no background job named"):
        call_command("worker", "--once", "--only", "t.nope")


def test_worker_once_fails_when_a_job_fails(registry):
    jobs.register("t.bad", lambda: 1 / 0, every=dt.timedelta(minutes=1))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("worker", "--once", "--only", "t.bad", stdout=out)
    assert "t.bad: 失败 failed — ZeroDivisionError" in out.getvalue()


def test_worker_list(registry):
    out = io.StringIO()
    call_command("worker", "--list", stdout=out)
    assert "cases.deadlines\tevery 1:00:00, daily at 00:30" in out.getvalue()


def test_the_loop_runs_jobs_until_stopped(registry):
    _job, calls = counter_job("t.loop", every=dt.timedelta(milliseconds=1))
    stop = threading.Event()
    seen: list[jobs.Outcome] = []

    def on_outcome(outcome: jobs.Outcome) -> None:
        seen.append(outcome)
        if len(seen) == 3:
            stop.set()

    jobs.run_forever(stop, only=["t.loop"], poll=0.01, on_outcome=on_outcome)
    assert len(calls) == 3 and [o.result for o in seen] == [1, 2, 3]
