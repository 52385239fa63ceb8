"""`bianmin worker [--once]`: run pending import jobs (for installations that turn
BIANMIN["IMPORT_INLINE_THREAD"] off and run workers instead of threads in the web process)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from bianmin.registry.models import ImportJob
from bianmin.registry.tasks import work


class Command(BaseCommand):
    help = "运行排队中的导入任务。 / Run pending background jobs (imports)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is pending, then exit")
        parser.add_argument(
            "--poll", type=float, default=2.0, help="seconds to wait between looks for new jobs"
        )

    def handle(self, *args, once: bool, poll: float, **options):
        def report(job: ImportJob) -> None:
            self.stdout.write(
                f"{job.pk} {job.file_name}: {job.get_status_display()} — {job.message}"
            )

        done = work(once=once, poll_seconds=poll, on_job=report)
        if once:
            self.stdout.write(f"{done} 个任务已处理")
