from __future__ import annotations

from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "bianmin.queueing"
    label = "queueing"
    verbose_name = "排队叫号与预约 Queueing"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from bianmin.queueing.aggregates import register_sqlite_functions

        # SQLite has no percentile_cont: every new connection gets a Python one, so the stats
        # query is the same single grouped query on both databases.
        connection_created.connect(register_sqlite_functions, dispatch_uid="queueing_sqlite_fns")
