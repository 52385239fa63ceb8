from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "bianmin.exchange"
    label = "exchange"
    verbose_name = _("部门数据交换")
    default_auto_field = "django.db.models.BigAutoField"
