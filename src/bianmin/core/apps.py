from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bianmin.core"
    label = "core"
    verbose_name = "基础 Core"
