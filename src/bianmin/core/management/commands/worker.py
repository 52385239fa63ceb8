"""`bianmin worker [--once] [--only NAME …]`: run the registered background jobs
(`bianmin.core.jobs`) — message delivery, deadline sweeps, no-show sweeps, imports.

No broker: the worker loops over the jobs and runs the due ones one at a time; any number of
workers may run, each periodic job is claimed by one of them per period. `--once` is for
cron: without `--only` it runs what is due and exits; with `--only` it runs the named jobs
now (the caller is then the scheduler), unless another process is running them.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from bianmin.core import jobs


class Command(BaseCommand):
    help = (
        "运行后台任务（消息发送、办结预警扫描、爽约扫描、批量导入），无需消息队列。"
        " / Run background jobs (delivery, sweeps, imports); no broker needed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="run the due jobs (with --only: the named jobs, now), then exit",
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="NAME",
            help="only this job (repeatable); --list shows the names",
        )
        parser.add_argument(
            "--poll", type=float, default=1.0, help="seconds between looks for due jobs"
        )
        parser.add_argument("--list", action="store_true", help="list the registered jobs")

    def handle(self, *args, once: bool, only: list[str], poll: float, **options):
        if options["list"]:
            for job in jobs.registered().values():
                when = ", ".join(
                    part
                    for part in (
                        f"every {job.every}" if job.every else "",
                        f"daily at {job.daily_at:%H:%M}" if job.daily_at else "",
                    )
                    if part
                )
                self.stdout.write(f"{job.name}\t{when}")
            return
        try:
            for name in only:
                jobs.get(name)
        except KeyError as e:
            raise CommandError(str(e.args[0])) from None
        if once:
            self._once(only)
            return
        self._loop(only, poll)

    def _once(self, only: list[str]) -> None:
        if only:
            outcomes = []
            for name in only:
                outcome = jobs.run_now(name)
                if outcome is None:
                    self.stdout.write(f"{name}: 正在其他进程中运行，跳过 / running elsewhere")
                else:
                    outcomes.append(outcome)
        else:
            outcomes = jobs.run_due()
        for outcome in outcomes:
            self.stdout.write(str(outcome))
        if any(not o.ok for o in outcomes):
            raise CommandError("有任务失败 / a job failed")

    def _loop(self, only: list[str], poll: float) -> None:
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            # SIGTERM (make demo's trap, systemd, docker stop) and Ctrl+C finish the job in
            # hand, then stop.
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda signum, frame: stop.set())

        def report(outcome: jobs.Outcome) -> None:
            if not outcome.ok or outcome.result:  # quiet when a pass found nothing to do
                self.stdout.write(str(outcome))

        names = only or sorted(jobs.registered())
        self.stdout.write(f"后台任务进程已启动 worker started: {', '.join(names)}")
        jobs.run_forever(stop, only=only or None, poll=poll, on_outcome=report)
        self.stdout.write("后台任务进程已停止 worker stopped")
