"""`bianmin import_people FILE --as USERNAME [--valid-only]`: import a register sheet now,
in the foreground, as that staff member (their area decides which rows are allowed)."""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from bianmin.core.errors import message_of
from bianmin.core.scope import acting_in
from bianmin.registry.access import actor_for, scope_for
from bianmin.registry.models import ImportJob, ImportStatus
from bianmin.registry.models.imports import ImportMode
from bianmin.registry.services.imports import create_import_job, run_import


class Command(BaseCommand):
    help = (
        "批量导入人员和户（.xlsx 或 .csv，列名见导入模板）。"
        " / Import people and households from a register sheet."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="staff account the import is done as (its area applies)",
        )
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="import the valid rows even if some rows have errors",
        )

    def handle(self, *args, file: Path, username: str, valid_only: bool, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no such user: {username}")
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        actor = actor_for(user)
        mode = ImportMode.VALID_ONLY if valid_only else ImportMode.ALL_OR_NOTHING
        try:
            with acting_in(scope_for(user)), file.open("rb") as handle:
                job = create_import_job(actor=actor, file=handle, file_name=file.name, mode=mode)
        except ValidationError as exc:
            raise CommandError(message_of(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"导入任务 {job.pk}：{file.name}（约{job.total_rows}行，{job.get_mode_display()}）"
        )
        started = time.monotonic()
        last = [0.0]

        def progress(j: ImportJob) -> None:
            now = time.monotonic()
            if now - last[0] >= 1 or j.processed_rows >= j.total_rows:
                last[0] = now
                rate = j.processed_rows / max(now - started, 1e-9)
                self.stdout.write(
                    f"  {j.message} {j.processed_rows}/{j.total_rows} 行"
                    f"（{j.percent}%，{rate:,.0f} 行/秒）"
                )

        job = run_import(job.pk, progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{job.get_status_display()}：{job.message}\n"
            f"  总行数 {job.total_rows}，新增 {job.created_count}，已存在 {job.unchanged_count}，"
            f"错误 {job.error_count}；用时 {elapsed:.1f} 秒"
        )
        if job.error_file:
            self.stdout.write(f"  错误明细：{job.error_file}（在工作台“批量导入”页面下载）")
        if job.status != ImportStatus.DONE:
            raise CommandError(job.message)
