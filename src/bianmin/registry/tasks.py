"""Background work of the registry: running import jobs.

The embedded default needs no broker: the upload view starts the job on a thread of the web
process once the job row is committed (`BIANMIN["IMPORT_INLINE_THREAD"]`, on by default).
Turned off, jobs stay pending for `bianmin worker` (the "registry.imports" job of
`bianmin.core.jobs`), which can run on any number of machines — they claim jobs with SELECT …
FOR UPDATE SKIP LOCKED. A queue (Celery, Django tasks) would call `run_import(job_id)` the same
way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections, transaction

from bianmin.registry.models import ImportJob
from bianmin.registry.services.imports import run_import, run_next_pending

logger = logging.getLogger(__name__)


def inline_thread_enabled() -> bool:
    return bool(settings.BIANMIN.get("IMPORT_INLINE_THREAD", True))


def start_import(job: ImportJob) -> bool:
    """Start the job on a thread after the current transaction commits, if configured so.
    Returns False when the job is left pending for `bianmin worker`."""
    if not inline_thread_enabled():
        return False
    job_id = job.pk
    transaction.on_commit(
        lambda: threading.Thread(
            target=_run_in_thread,
            args=(job_id,),
            name=f"bianmin-import-{job_id}",
            daemon=True,
        ).start()
    )
    return True


def _run_in_thread(job_id) -> None:
    try:
        run_import(job_id)
    except Exception:  # run_import records failures on the job; this is a last resort
        logger.exception("import thread for job %s crashed", job_id)
    finally:
        connections.close_all()


def work(
    *,
    once: bool = False,
    poll_seconds: float = 2.0,
    on_job: Callable[[ImportJob], None] | None = None,
) -> int:
    """Run pending jobs one after the other; with `once`, stop when none is left."""
    done = 0
    while True:
        job = run_next_pending()
        if job is None:
            if once:
                return done
            connections.close_all()  # don't hold a connection while idle
            time.sleep(poll_seconds)
            continue
        done += 1
        if on_job is not None:
            on_job(job)


def run_pending_imports() -> str | None:
    """The worker's periodic job: every pending import, one after the other."""
    done = work(once=True)
    return f"{done} 个任务已处理" if done else None
