from __future__ import annotations

from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "bianmin.workbench"
    label = "workbench"
    verbose_name = "工作台 Workbench"
