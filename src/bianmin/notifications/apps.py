from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bianmin.notifications"
    label = "notifications"
    verbose_name = "消息推送 Notifications"
