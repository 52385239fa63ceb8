from __future__ import annotations

import datetime as dt

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

        from bianmin.core import jobs
        from bianmin.queueing import lifeevents

        jobs.register("queueing.no_shows", _sweep_no_shows, daily_at=dt.time(0, 10))
        lifeevents.register()


def _sweep_no_shows() -> str:
    """Yesterday's bookings never checked in become 爽约 (as `bianmin queueing sweep`)."""
    from bianmin.queueing import clock, services

    day = clock.today() - dt.timedelta(days=1)
    return f"{services.expire_appointments(day=day)} 个预约记为爽约（截至 {day}）"
