from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bianmin.notifications"
    label = "notifications"
    verbose_name = "消息推送 Notifications"

    def ready(self) -> None:
        from bianmin.core import jobs
        from bianmin.notifications.delivery import deliver_due

        # Overlapping runs are harmless (claims skip locked rows), hence the short lease.
        jobs.register(
            "notifications.deliver",
            deliver_due,
            every=dt.timedelta(seconds=10),
            lease=dt.timedelta(minutes=1),
        )
