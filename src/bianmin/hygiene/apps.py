from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HygieneConfig(AppConfig):
    name = "bianmin.hygiene"
    label = "hygiene"
    verbose_name = _("公共场所卫生量化分级")
    default_auto_field = "django.db.models.BigAutoField"
