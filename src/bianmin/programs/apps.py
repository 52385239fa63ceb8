from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "bianmin.programs"
    label = "programs"
    verbose_name = _("随访服务项目")
    default_auto_field = "django.db.models.BigAutoField"
