from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "bianmin.sharing"
    label = "sharing"
    verbose_name = _("数据共享与授权")
    default_auto_field = "django.db.models.BigAutoField"
