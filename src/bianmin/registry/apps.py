from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "bianmin.registry"
    label = "registry"
    verbose_name = "人口库与法人库 Registry"

    def ready(self) -> None:
        from bianmin.core import jobs
        from bianmin.registry.tasks import run_pending_imports

        # Imports left pending (inline threads off, or a crashed web process). Two workers
        # may both run it (jobs are claimed with SKIP LOCKED), hence the short lease.
        jobs.register(
            "registry.imports",
            run_pending_imports,
            every=dt.timedelta(seconds=5),
            lease=dt.timedelta(minutes=1),
        )
        from bianmin.registry import lifeevents

        lifeevents.register()  # life events: household head, grid follows (core/lifecycle.py)
