"""Bulk import of people and households (人口库批量导入): jobs, running them, their files.

Views, the CLI, the inline thread and `bianmin worker` all go through these functions.

Decisions, and why:

- A person already in the 人口库 (same ID number) is skipped and counted as unchanged, never
  overwritten: a sheet is often older than the corrections clerks have made since, and each
  change to a record must be audited field by field (`update_person`). A 户号 that exists is
  joined, its details left as they are.
- All-or-nothing (the default) on PostgreSQL writes while it checks, inside one transaction
  that the first bad row rolls back; the job's result and its audit entry commit with the
  people. Client memory stays flat (rows are streamed to COPY) and the file is read once.
  On SQLite one transaction would hold the database's single write lock for the whole file,
  stalling every other user, so there the file is checked in a first pass that writes nothing
  and written in a second pass, a transaction per batch.
- Valid-rows-only commits batch by batch on both.
- One audit entry per job (action IMPORT), not one per row; each person created carries the
  job in `source_import`.
- The uploaded file is deleted when the job ends; the error sheet (the user's own rows, so
  with their numbers) can be downloaded only by the uploader, and each download is audited.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditAction
from bianmin.core.scope import Scope, acting_in, current_scope
from bianmin.registry.access import actor_for, staff_of
from bianmin.registry.importing import firstload, workers
from bianmin.registry.importing.columns import match_headers, template_workbook
from bianmin.registry.importing.pipeline import PassResult, run_pass
from bianmin.registry.importing.reading import Opener, open_sheet
from bianmin.registry.models import ImportJob, ImportStatus, Role, Tag
from bianmin.registry.models.imports import ImportMode

logger = logging.getLogger(__name__)

# Who keeps registers: community/grid workers, window clerks, village agents, administrators.
IMPORT_ROLES = frozenset({Role.GRID_WORKER, Role.WINDOW_CLERK, Role.VILLAGE_AGENT, Role.ADMIN})
PROGRESS_SECONDS = 1.0  # the page polls every second
FINISHED = frozenset({ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED})
Progress = Callable[[ImportJob], None]


def can_import(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and staff.role in IMPORT_ROLES


def import_template() -> bytes:
    tags = Tag.objects.filter(derived=False).order_by("sort", "code").values_list("code", "name")
    return template_workbook(list(tags))


def create_import_job(
    *, actor: Actor, file: IO[bytes], file_name: str, mode: str = ImportMode.ALL_OR_NOTHING
) -> ImportJob:
    """Store the upload and queue a job for it. The file's type, encoding and header row are
    checked now, so a wrong file is refused on the upload form and no job is created."""
    user = get_user_model().objects.filter(pk=actor.user_id).first()
    if not can_import(user):
        raise PermissionDenied(_("您的岗位没有批量导入人员的权限。"))
    scope = current_scope.get()
    if scope is not None and scope.denied:
        raise OutOfScope()
    if mode not in ImportMode.values:
        raise ValidationError({"mode": ValidationError(_("导入方式无效。"), code="invalid_choice")})
    job_id = uuid.uuid4()
    digest = hashlib.sha256()
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    file.seek(0)
    suffix = PurePath(file_name or "").suffix.lower()
    stored = default_storage.save(
        f"imports/{job_id}/upload{suffix if suffix in {'.xlsx', '.csv', '.txt'} else ''}",
        File(file),
    )
    try:
        with open_sheet(_opener(stored)) as sheet:
            match_headers(sheet.headers)
            estimate = sheet.estimated_rows
    except ValidationError:
        default_storage.delete(stored)
        raise
    job = ImportJob.objects.create(
        id=job_id,
        file_name=PurePath(file_name or "upload").name[:200],
        file_sha256=digest.hexdigest(),
        stored_file=stored,
        mode=mode,
        total_rows=estimate,
        area_prefix=scope.area_prefix if scope is not None else "",
        created_by=user,
        message=_g("排队等待导入"),
    )
    logger.info("import job %s queued (%s rows estimated, mode %s)", job.pk, estimate, mode)
    return job


def run_import(job_id: uuid.UUID | str, *, progress: Progress | None = None) -> ImportJob:
    """Run a pending job to its end (DONE, REJECTED or FAILED). A job another thread or
    worker has already claimed is left alone and returned as it is."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, message=_g("导入中")
    )
    job = ImportJob.objects.get(pk=job_id)
    if claimed:
        _run(job, progress)
        job.refresh_from_db()
    return job


def claim_next_job() -> ImportJob | None:
    """Take the oldest pending job; concurrent workers skip rows another one has locked."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status=ImportStatus.PENDING)
            .order_by("created_at")
            .first()
        )
        if job is None:
            return None
        job.status, job.message = ImportStatus.RUNNING, _g("导入中")
        job.save(update_fields=["status", "message"])
    return job


def run_next_pending(*, progress: Progress | None = None) -> ImportJob | None:
    job = claim_next_job()
    if job is not None:
        _run(job, progress)
        job.refresh_from_db()
    return job


def access_import_job(*, actor: Actor, job_id: uuid.UUID | str) -> ImportJob:
    """A job's status and counts, for the one who uploaded it (or a superuser)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.created_by_id != actor.user_id and not _is_superuser(actor):
        raise OutOfScope(_("这不是您上传的导入任务。"))
    return job


def recent_import_jobs(*, actor: Actor, limit: int = 20) -> list[ImportJob]:
    return list(
        ImportJob.objects.filter(created_by_id=actor.user_id).order_by("-created_at")[:limit]
    )


def open_error_file(*, actor: Actor, job: ImportJob) -> IO[bytes]:
    """The error sheet of the uploader's own job; it holds the uploaded rows, so audited."""
    if job.created_by_id != actor.user_id or not job.error_file:
        raise OutOfScope(_("只有上传人可以下载错误明细。"))
    audit.record(
        actor,
        AuditAction.EXPORT,
        object_type="import_job",
        object_id=job.pk,
        object_label=f"{job.file_name} 错误明细",
        changes={"error_rows": job.error_count},
    )
    return default_storage.open(job.error_file, "rb")


# --- running a job ---------------------------------------------------------------------------


def _opener(name: str) -> Opener:
    return lambda: default_storage.open(name, "rb")


def _is_superuser(actor: Actor) -> bool:
    return get_user_model().objects.filter(pk=actor.user_id, is_superuser=True).exists()


def _run(job: ImportJob, progress: Progress | None) -> None:
    actor = actor_for(job.created_by)
    # Messages in the error sheet are zh-Hans whatever language the uploader's page used.
    with (
        translation.override("zh-hans"),
        acting_in(Scope(area_prefix=job.area_prefix, user_id=job.created_by_id)),
    ):
        try:
            _execute(job, actor, progress)
        except IntegrityError:
            logger.warning("import job %s collided with a concurrent registration", job.pk)
            _finish(
                job,
                actor,
                ImportStatus.FAILED,
                PassResult(),
                _g(
                    "导入期间，文件中的人员或户号被他人同时登记，本次导入已停止（按“全部正确才导入”方式时"
                    "未导入任何数据）。请重新导入同一文件：已登记的人员会自动跳过。"
                ),
            )
        except Exception as exc:
            # The exception text can quote a row (a COPY error does), so only its type and
            # where it happened go to the log — never names or numbers.
            logger.error(
                "import job %s failed: %s\n%s",
                job.pk,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            _finish(
                job,
                actor,
                ImportStatus.FAILED,
                PassResult(),
                _g(
                    "导入失败（%(kind)s）。按“全部正确才导入”方式时未导入任何数据；"
                    "按“仅导入正确的行”方式时，失败前已写入的批次保留。请联系系统管理员。"
                )
                % {"kind": type(exc).__name__},
            )
        finally:
            if job.stored_file:
                default_storage.delete(job.stored_file)
                ImportJob.objects.filter(pk=job.pk).update(stored_file="")


def _execute(job: ImportJob, actor: Actor, progress: Progress | None) -> None:
    opener = _opener(job.stored_file)
    try:
        with open_sheet(opener) as sheet:
            columns = match_headers(sheet.headers)
            estimate = sheet.estimated_rows
    except ValidationError as exc:
        _finish(job, actor, ImportStatus.REJECTED, PassResult(), "；".join(exc.messages))
        return
    job.total_rows = estimate
    all_or_nothing = job.mode == ImportMode.ALL_OR_NOTHING
    two_passes = all_or_nothing and connection.vendor != "postgresql"

    def one_pass(*, write: bool, message: str) -> PassResult:
        job.processed_rows, job.message = 0, message
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=0, message=message, total_rows=job.total_rows
        )

        last_saved = [0.0]

        def on_progress(rows: int) -> None:
            job.processed_rows = rows
            job.total_rows = max(job.total_rows, rows)
            # After each batch, but at most once per PROGRESS_SECONDS: on PostgreSQL every
            # person's foreign key looks the job row up, and while the import's transaction
            # is open no old version of that row can be pruned — saving it per batch made
            # each look-up walk hundreds of versions (a 1M-row import ran 4× slower).
            now = time.monotonic()
            if now - last_saved[0] >= PROGRESS_SECONDS:
                last_saved[0] = now
                ImportJob.objects.filter(pk=job.pk).update(
                    processed_rows=rows, total_rows=job.total_rows
                )
            if progress is not None:
                progress(job)

        return run_pass(
            opener,
            columns=columns,
            job_id=job.pk,
            batch_size=settings.BIANMIN.get("IMPORT_BATCH_SIZE", 2000),
            write=write,
            single_transaction=all_or_nothing and not two_passes,
            tag_source=f"批量导入 {job.file_name}",
            added_by_id=job.created_by_id,
            on_progress=on_progress,
            finalize=lambda r: _conclude(job, actor, r),
            try_first_load=firstload.wanted(job.total_rows),
            processes=workers.processes_for(job.total_rows) if write else 0,
        )

    if two_passes:
        checked = one_pass(write=False, message=_g("第1步（共2步）：校验"))
        if checked.errors or not checked.rows:
            _conclude(job, actor, checked)
            return
        result = one_pass(write=True, message=_g("第2步（共2步）：写入"))
    else:
        result = one_pass(write=True, message=_g("导入中"))
    if not result.committed_in_pass:
        _conclude(job, actor, result)


def _conclude(job: ImportJob, actor: Actor, result: PassResult) -> None:
    # May run on the writer thread (inside its transaction), where no override is active.
    with translation.override("zh-hans"):
        _conclude_in_chinese(job, actor, result)


def _conclude_in_chinese(job: ImportJob, actor: Actor, result: PassResult) -> None:
    if not result.rows:
        status, message = ImportStatus.REJECTED, _g("文件中没有需要导入的数据行。")
    elif result.errors and job.mode == ImportMode.ALL_OR_NOTHING:
        status = ImportStatus.REJECTED
        result.created = result.households_created = 0
        message = _g("有%(errors)s行错误，未导入任何数据。请下载错误明细，修正后重新导入。") % {
            "errors": result.errors
        }
    else:
        status = ImportStatus.DONE
        message = _g(
            "导入完成：新增%(created)s人，已在人口库中（跳过）%(unchanged)s人，"
            "新建%(households)s户。"
        ) % {
            "created": result.created,
            "unchanged": result.unchanged,
            "households": result.households_created,
        }
        if result.errors:
            message += _g("另有%(errors)s行有错误未导入，请下载错误明细。") % {
                "errors": result.errors
            }
    _finish(job, actor, status, result, message)


def _finish(job: ImportJob, actor: Actor, status: str, result: PassResult, message: str) -> None:
    error_file = ""
    sheet = result.error_sheet.save() if result.error_sheet is not None else None
    if sheet is not None:
        with sheet:
            error_file = default_storage.save(f"imports/{job.pk}/errors.xlsx", File(sheet))
    job.status, job.message, job.error_file = status, message, error_file
    job.created_count, job.unchanged_count = result.created, result.unchanged
    job.error_count, job.finished_at = result.errors, timezone.now()
    if result.rows:
        job.processed_rows = job.total_rows = result.rows
    with transaction.atomic():
        job.save(
            update_fields=[
                "status",
                "message",
                "error_file",
                "created_count",
                "unchanged_count",
                "error_count",
                "finished_at",
                "processed_rows",
                "total_rows",
            ]
        )
        audit.record(
            actor,
            AuditAction.IMPORT,
            object_type="import_job",
            object_id=job.pk,
            object_label=job.file_name,
            changes={
                "status": status,
                "mode": job.mode,
                "file_sha256": job.file_sha256,
                "rows": result.rows,
                "created": result.created,
                "unchanged": result.unchanged,
                "errors": result.errors,
                "households_created": result.households_created,
            },
        )
    logger.info(
        "import job %s %s: %s rows, %s created, %s unchanged, %s errors",
        job.pk,
        status,
        result.rows,
        result.created,
        result.unchanged,
        result.errors,
    )
